//! Sending one interaction's request to a provider and reading the response, within a time and size
//! budget. What comes back is plain data for `vow-core` to judge.

use std::sync::Once;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Url};
use vow_core::ObservedResponse;
use vow_core::contract::Request;

/// Why a request produced no complete response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayFailure {
    #[error("no response within {}", humantime_ms(*after))]
    Timeout { after: Duration },
    #[error("{message}")]
    Connection { message: String },
    #[error("the response body exceeded {limit} bytes and was not read further")]
    BodyTooLarge { limit: u64 },
    #[error("{message}")]
    InvalidRequest { message: String },
}

fn humantime_ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

/// Limits that bound one exchange.
#[derive(Debug, Clone, Copy)]
pub struct ReplayLimits {
    /// From sending the request to the end of the response body.
    pub timeout: Duration,
    /// Largest response body read; larger bodies are abandoned.
    pub max_body_bytes: u64,
}

/// Builds the HTTP client shared by all replays: one connection pool, no redirects followed (a
/// redirect is part of the provider's behaviour and must be judged, not hidden), no proxy from the
/// environment for loopback targets.
pub fn client() -> Result<Client, reqwest::Error> {
    static CRYPTO: Once = Once::new();
    // reqwest is built without a bundled crypto provider so the program carries one TLS stack
    // (rustls with ring); installing it twice is harmless but returns an error we ignore.
    CRYPTO.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .tcp_nodelay(true)
        .user_agent(concat!("vow/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// The URL a request goes to: the provider base URL (which may carry a base path) joined with the
/// interaction's path and query.
pub fn request_url(base: &Url, request: &Request) -> Url {
    let mut url = base.clone();
    let joined = format!("{}{}", base.path().trim_end_matches('/'), request.path);
    url.set_path(&joined);
    url.set_query(None);
    if !request.query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, values) in &request.query {
            for value in values {
                pairs.append_pair(name, value);
            }
        }
    }
    url
}

/// Sends `request` to `base` and reads the whole response within `limits`.
pub async fn replay(
    client: &Client,
    base: &Url,
    request: &Request,
    limits: ReplayLimits,
) -> Result<ObservedResponse, ReplayFailure> {
    let headers = request_headers(request)?;
    let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes())
        .map_err(|_| invalid(format!("{} is not an HTTP method", request.method.as_str())))?;
    let mut builder = client
        .request(method, request_url(base, request))
        .headers(headers.clone());
    if let Some(body) = &request.body {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| invalid(format!("the request body cannot be encoded: {e}")))?;
        if !headers.contains_key(CONTENT_TYPE) {
            builder = builder.header(CONTENT_TYPE, "application/json");
        }
        builder = builder.body(bytes);
    }

    let started = Instant::now();
    let exchange = async {
        let mut response = builder.send().await.map_err(connection)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        if response
            .content_length()
            .is_some_and(|len| len > limits.max_body_bytes)
        {
            return Err(ReplayFailure::BodyTooLarge {
                limit: limits.max_body_bytes,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(connection)? {
            if body.len() as u64 + chunk.len() as u64 > limits.max_body_bytes {
                return Err(ReplayFailure::BodyTooLarge {
                    limit: limits.max_body_bytes,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(ObservedResponse {
            status,
            headers,
            body,
            elapsed: started.elapsed(),
        })
    };
    match tokio::time::timeout(limits.timeout, exchange).await {
        Ok(result) => result,
        Err(_) => Err(ReplayFailure::Timeout {
            after: limits.timeout,
        }),
    }
}

fn request_headers(request: &Request) -> Result<HeaderMap, ReplayFailure> {
    let mut map = HeaderMap::new();
    for (name, value) in &request.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid(format!("request header name {name:?} is not a valid token")))?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            invalid(format!(
                "request header {name} has a value that cannot be sent: {value:?}"
            ))
        })?;
        map.append(name, value);
    }
    Ok(map)
}

fn invalid(message: String) -> ReplayFailure {
    ReplayFailure::InvalidRequest { message }
}

/// Describes a transport error with its causes, which reqwest keeps in the source chain.
fn connection(error: reqwest::Error) -> ReplayFailure {
    if error.is_timeout() {
        return ReplayFailure::Connection {
            message: "the request timed out".into(),
        };
    }
    ReplayFailure::Connection {
        message: with_causes(&error),
    }
}

/// An error's message followed by its causes (`…: connection refused`); reqwest keeps what
/// actually went wrong in the source chain.
pub(crate) fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use vow_core::contract::Method;

    use super::*;

    fn request(path: &str, query: &[(&str, &str)]) -> Request {
        let mut q = BTreeMap::<String, Vec<String>>::new();
        for (k, v) in query {
            q.entry((*k).to_owned()).or_default().push((*v).to_owned());
        }
        Request {
            method: Method("GET".into()),
            path: path.into(),
            query: q,
            headers: Vec::new(),
            body: None,
        }
    }

    #[test]
    fn joins_base_path_and_encodes_query() {
        let base = Url::parse("http://127.0.0.1:9/api/").unwrap();
        let url = request_url(&base, &request("/carts/c 1", &[("q", "a&b"), ("q", "c")]));
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/api/carts/c%201?q=a%26b&q=c"
        );
    }

    #[test]
    fn base_without_path_keeps_interaction_path() {
        let base = Url::parse("http://127.0.0.1:9").unwrap();
        assert_eq!(
            request_url(&base, &request("/x", &[])).as_str(),
            "http://127.0.0.1:9/x"
        );
    }
}
