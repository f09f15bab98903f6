//! One observed request and response. A [`RawExchange`] is what the proxy or a HAR entry saw; an
//! [`Exchange`] is what may be kept: [`Exchange::capture`] reads the token's scopes, drops secret
//! headers and masks secret query parameters and body members before anything else sees it.

use std::time::Duration;

use serde_json::Value;

use super::redact::{self, PLACEHOLDER};
use super::token::{CredentialsSeen, credentials_of};

/// A body as captured: at most a prefix of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawBody {
    /// The captured bytes: the whole body when `complete`, a prefix otherwise.
    pub bytes: Vec<u8>,
    /// The body's full length, as far as it was seen.
    pub size: u64,
    /// Whether `bytes` is the whole body.
    pub complete: bool,
}

impl RawBody {
    /// A body captured whole.
    pub fn whole(bytes: Vec<u8>) -> RawBody {
        RawBody {
            size: bytes.len() as u64,
            bytes,
            complete: true,
        }
    }
}

/// An exchange as observed, secrets included. Only [`Exchange::capture`] consumes it.
#[derive(Debug, Clone, Default)]
pub struct RawExchange {
    /// Uppercase method.
    pub method: String,
    /// The path as sent, without the query string.
    pub path: String,
    /// Decoded query parameters in order.
    pub query: Vec<(String, String)>,
    pub request_headers: Vec<(String, String)>,
    pub request_body: RawBody,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: RawBody,
    /// From the request's first byte to the response's last; unknown for some HAR entries.
    pub latency: Option<Duration>,
}

/// A body as a draft may use it.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Empty,
    /// A JSON body, secrets masked.
    Json(Value),
    /// A body that is not JSON (or is compressed); noted, not parsed.
    NotJson {
        media_type: Option<String>,
    },
    /// A body larger than the capture limit; noted, not parsed.
    TooLarge {
        size: u64,
    },
}

/// An exchange with every secret dropped or masked.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    /// Query parameters; secret values are [`PLACEHOLDER`].
    pub query: Vec<(String, String)>,
    /// The request headers a contract may state: secrets, hop-by-hop headers and client noise
    /// (user agent, encodings, fetch metadata, conditionals) are dropped.
    pub request_headers: Vec<(String, String)>,
    pub request_body: Body,
    pub status: u16,
    /// The response's `Content-Type`, if any.
    pub content_type: Option<String>,
    /// Whether the response carried `Retry-After`.
    pub retry_after: bool,
    /// Whether the response carried `Deprecation` (RFC 9745), and the `Sunset` date (RFC 8594).
    pub deprecated: bool,
    pub sunset: Option<chrono::NaiveDate>,
    pub response_body: Body,
    pub latency: Option<Duration>,
    /// The request's credentials: scheme and the token's scopes, never the secret.
    pub credentials: Option<CredentialsSeen>,
    /// What was redacted, by name only: `header Authorization`, `query access_token`,
    /// `request body /password`.
    pub redacted: Vec<String>,
}

/// Request headers a contract never states: transport, the client's own preferences and
/// conditionals that would turn a replay into a 304.
fn is_noise_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with(':')
        || name.starts_with("sec-")
        || name.starts_with("x-forwarded-")
        || name.starts_with("if-")
        || matches!(
            name.as_str(),
            "host"
                | "content-length"
                | "connection"
                | "keep-alive"
                | "transfer-encoding"
                | "te"
                | "trailer"
                | "upgrade"
                | "proxy-connection"
                | "user-agent"
                | "accept-encoding"
                | "accept-language"
                | "referer"
                | "origin"
                | "cache-control"
                | "pragma"
                | "dnt"
                | "priority"
                | "forwarded"
                | "via"
                | "upgrade-insecure-requests"
        )
}

impl Exchange {
    /// Redacts `raw` into an exchange. The scopes are read from the token before it is dropped.
    pub fn capture(raw: RawExchange) -> Exchange {
        let credentials = credentials_of(&raw.request_headers);
        let mut redacted = Vec::new();

        let mut request_headers = Vec::new();
        for (name, value) in raw.request_headers {
            if redact::is_secret_header(&name) {
                redacted.push(format!("header {}", name.to_ascii_lowercase()));
            } else if !is_noise_header(&name) {
                request_headers.push((name, value));
            }
        }
        let query = raw
            .query
            .into_iter()
            .map(|(name, value)| {
                if redact::is_secret_query(&name) {
                    redacted.push(format!("query {name}"));
                    (name, PLACEHOLDER.to_owned())
                } else {
                    (name, value)
                }
            })
            .collect();

        let request_type = header(&request_headers, "content-type").map(str::to_owned);
        let request_encoded = header(&request_headers, "content-encoding").is_some();
        let mut request_body =
            decode_body(raw.request_body, request_type.as_deref(), request_encoded);
        if let Body::Json(value) = &mut request_body {
            let mut at = Vec::new();
            redact::redact_json(value, "", &mut at);
            redacted.extend(at.into_iter().map(|p| format!("request body {p}")));
        }

        let mut content_type = None;
        let mut retry_after = false;
        let mut deprecated = false;
        let mut sunset = None;
        let mut response_encoded = false;
        for (name, value) in &raw.response_headers {
            if name.eq_ignore_ascii_case("content-type") {
                content_type = Some(value.clone());
            } else if name.eq_ignore_ascii_case("retry-after") {
                retry_after = true;
            } else if name.eq_ignore_ascii_case("deprecation") {
                deprecated = true;
            } else if name.eq_ignore_ascii_case("sunset") {
                sunset = chrono::DateTime::parse_from_rfc2822(value.trim())
                    .ok()
                    .map(|d| d.date_naive());
            } else if name.eq_ignore_ascii_case("content-encoding")
                && !value.eq_ignore_ascii_case("identity")
            {
                response_encoded = true;
            } else if redact::is_secret_header(name) {
                redacted.push(format!("response header {}", name.to_ascii_lowercase()));
            }
        }
        let mut response_body =
            decode_body(raw.response_body, content_type.as_deref(), response_encoded);
        if let Body::Json(value) = &mut response_body {
            let mut at = Vec::new();
            redact::redact_json(value, "", &mut at);
            redacted.extend(at.into_iter().map(|p| format!("response body {p}")));
        }

        Exchange {
            method: raw.method.to_ascii_uppercase(),
            path: raw.path,
            query,
            request_headers,
            request_body,
            status: raw.status,
            content_type,
            retry_after,
            deprecated,
            sunset,
            response_body,
            latency: raw.latency,
            credentials,
            redacted,
        }
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The media type without parameters, lowercase.
pub(crate) fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

pub(crate) fn is_json_type(content_type: &str) -> bool {
    let essence = essence(content_type);
    essence == "application/json" || essence.ends_with("+json")
}

fn decode_body(body: RawBody, content_type: Option<&str>, encoded: bool) -> Body {
    if !body.complete {
        return Body::TooLarge { size: body.size };
    }
    if body.bytes.is_empty() {
        return Body::Empty;
    }
    let not_json = || Body::NotJson {
        media_type: content_type.map(essence),
    };
    if encoded {
        return not_json();
    }
    // Without a Content-Type, a body that parses as JSON is taken as JSON.
    if content_type.is_some_and(|t| !is_json_type(t)) {
        return not_json();
    }
    match serde_json::from_slice::<Value>(&body.bytes) {
        Ok(value) => Body::Json(value),
        Err(_) => not_json(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn capture_drops_secret_headers_masks_queries_and_members_and_keeps_the_rest() {
        let raw = RawExchange {
            method: "post".into(),
            path: "/payments".into(),
            query: vec![
                ("access_token".into(), "qs-secret".into()),
                ("expand".into(), "refunds".into()),
            ],
            request_headers: h(&[
                ("Authorization", "Bearer opaque-secret"),
                ("Cookie", "session=cookie-secret"),
                ("X-Api-Key", "key-secret"),
                ("Content-Type", "application/json"),
                ("Idempotency-Key", "o-1"),
                ("User-Agent", "curl/8"),
                ("Host", "shop"),
            ]),
            request_body: RawBody::whole(
                br#"{"amount":"1.00","card":{"number":"4111111111111111"},"password":"pw-secret"}"#
                    .to_vec(),
            ),
            status: 201,
            response_headers: h(&[
                ("Content-Type", "application/json"),
                ("Set-Cookie", "s=set-secret"),
            ]),
            response_body: RawBody::whole(br#"{"id":"p-1","accessToken":"resp-secret"}"#.to_vec()),
            latency: Some(Duration::from_millis(3)),
        };
        let exchange = Exchange::capture(raw);
        assert_eq!(exchange.method, "POST");
        assert_eq!(
            exchange.request_headers,
            h(&[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", "o-1")
            ])
        );
        assert_eq!(
            exchange.query,
            h(&[("access_token", PLACEHOLDER), ("expand", "refunds")])
        );
        assert_eq!(
            exchange.request_body,
            Body::Json(
                json!({"amount":"1.00","card":{"number":PLACEHOLDER},"password":PLACEHOLDER})
            )
        );
        assert_eq!(
            exchange.response_body,
            Body::Json(json!({"id":"p-1","accessToken":PLACEHOLDER}))
        );
        assert_eq!(
            exchange.credentials.map(|c| c.scheme),
            Some(crate::contract::AuthScheme::Bearer)
        );
        let text = format!(
            "{:?}",
            (
                &exchange.request_headers,
                &exchange.query,
                &exchange.request_body,
                &exchange.response_body,
                &exchange.redacted
            )
        );
        for secret in [
            "opaque-secret",
            "cookie-secret",
            "key-secret",
            "qs-secret",
            "4111111111111111",
            "pw-secret",
            "set-secret",
            "resp-secret",
        ] {
            assert!(!text.contains(secret), "{secret} kept in {text}");
        }
        assert_eq!(
            exchange.redacted,
            [
                "header authorization",
                "header cookie",
                "header x-api-key",
                "query access_token",
                "request body /password",
                "request body /card/number",
                "response header set-cookie",
                "response body /accessToken",
            ]
        );
    }

    #[test]
    fn bodies_are_json_only_when_whole_uncompressed_and_typed_as_json() {
        let json =
            |bytes: &[u8], ct: Option<&str>| decode_body(RawBody::whole(bytes.to_vec()), ct, false);
        assert_eq!(
            json(b"{}", Some("application/problem+json")),
            Body::Json(json!({}))
        );
        assert_eq!(json(b"[1]", None), Body::Json(json!([1])));
        assert_eq!(json(b"", Some("application/json")), Body::Empty);
        assert_eq!(
            json(b"<html>", Some("text/html; charset=utf-8")),
            Body::NotJson {
                media_type: Some("text/html".into())
            }
        );
        assert_eq!(
            decode_body(
                RawBody {
                    bytes: b"{".to_vec(),
                    size: 10_000_000,
                    complete: false
                },
                None,
                false
            ),
            Body::TooLarge { size: 10_000_000 }
        );
        assert_eq!(
            decode_body(
                RawBody::whole(b"\x1f\x8b".to_vec()),
                Some("application/json"),
                true
            ),
            Body::NotJson {
                media_type: Some("application/json".into())
            }
        );
    }
}
