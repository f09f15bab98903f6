//! Calls the router in-process the way a client would, for the unit tests of every endpoint.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use crate::{FaultSet, app};

/// A response as the tests look at it.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) text: String,
}

impl Reply {
    /// The body as JSON; panics with the text when it is not.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|err| panic!("body is not JSON ({err}): {}", self.text))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One shop with fixed faults; state persists across calls like a running server's. Requests carry
/// the full demo token of the consumer that uses the resource (see [`default_credential`]) unless a
/// test picks the credential with [`TestClient::send_as`].
#[derive(Debug)]
pub(crate) struct TestClient {
    router: Router,
}

impl TestClient {
    pub(crate) fn new(faults: impl Into<FaultSet>) -> Self {
        Self {
            router: app(faults.into()),
        }
    }

    pub(crate) fn clean() -> Self {
        Self::new(FaultSet::new())
    }

    pub(crate) async fn get(&self, uri: &str) -> Reply {
        self.send(Method::GET, uri, None).await
    }

    pub(crate) async fn post(&self, uri: &str, body: Value) -> Reply {
        self.send(Method::POST, uri, Some(body)).await
    }

    pub(crate) async fn post_without_body(&self, uri: &str) -> Reply {
        self.send(Method::POST, uri, None).await
    }

    pub(crate) async fn delete(&self, uri: &str) -> Reply {
        self.send(Method::DELETE, uri, None).await
    }

    /// Sets up a provider state, asserting the provider accepted it.
    pub(crate) async fn given(&self, state: &str, params: Value) {
        let reply = self
            .post(
                "/_vow/provider-states",
                serde_json::json!({"state": state, "params": params, "action": "setup"}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "state {state}: {}",
            reply.text
        );
    }

    async fn send(&self, method: Method, uri: &str, body: Option<Value>) -> Reply {
        self.send_as(method, uri, body, default_credential(uri))
            .await
    }

    /// Sends a request with exactly the given `Authorization` header value, or none.
    pub(crate) async fn send_as(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
        authorization: Option<String>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(credential) = authorization {
            request = request.header("authorization", credential);
        }
        let body = match body {
            Some(json) => {
                request = request.header("content-type", "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).expect("valid request"))
            .await
            .expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body reads");
        Reply {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// The full demo token of the consumer that uses the resource the path names, so tests of what the
/// shop does read like that consumer's calls.
fn default_credential(uri: &str) -> Option<String> {
    let resource = uri.trim_start_matches('/').split(['/', '?']).next()?;
    let token = match resource {
        "carts" | "payments" => "checkout-web-demo-token",
        "prices" => "storefront-web-demo-token",
        "inventory" => "mobile-app-demo-token",
        _ => return None,
    };
    Some(format!("Bearer {token}"))
}
