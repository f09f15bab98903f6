//! Rate limiting, as far as a demo needs it: a client is limited when a provider state says so,
//! and then every operation that needs credentials answers 429 with `Retry-After` until teardown.
//! It runs after authentication, as a real limiter keyed by client does, so auth probes still see
//! their 401 and 403.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::operation::Operation;
use crate::problem::ApiError;
use crate::shop::SharedShop;

pub(crate) async fn throttle(
    State(shop): State<SharedShop>,
    request: Request,
    next: Next,
) -> Response {
    let limited = Operation::of(&request)
        .and_then(Operation::required_scope)
        .is_some()
        && shop.lock().rate_limited();
    if limited {
        return ApiError::RateLimited.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use axum::http::{Method, StatusCode};
    use serde_json::json;

    use crate::test_client::TestClient;

    async fn rate_limited_client() -> TestClient {
        let client = TestClient::clean();
        client.given("the client is rate limited", json!({})).await;
        client
    }

    #[tokio::test]
    async fn a_rate_limited_client_gets_429_with_retry_after_until_teardown() {
        let client = rate_limited_client().await;
        for uri in [
            "/carts/c-1001",
            "/prices/SKU-RED-MUG",
            "/inventory/SKU-RED-MUG",
        ] {
            let reply = client.get(uri).await;
            assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{uri}");
            assert_eq!(reply.header("retry-after"), Some("1"), "{uri}");
            assert_eq!(
                reply.header("content-type"),
                Some("application/problem+json")
            );
            assert_eq!(reply.json()["code"], "rate_limited");
        }
        let post = client.post("/carts", json!({})).await;
        assert_eq!(post.status, StatusCode::TOO_MANY_REQUESTS);

        assert_eq!(client.get("/healthz").await.status, StatusCode::OK);
        let teardown = json!({"state": "the client is rate limited", "action": "teardown"});
        let reply = client.post("/_vow/provider-states", teardown).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(client.get("/carts/c-1001").await.status, StatusCode::OK);
    }

    #[tokio::test]
    async fn credentials_are_checked_before_the_rate_limit() {
        let client = rate_limited_client().await;
        let anonymous = client
            .send_as(Method::GET, "/carts/c-1001", None, None)
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        let limited = client
            .send_as(
                Method::POST,
                "/carts",
                Some(json!({})),
                Some("Bearer checkout-web-limited-token".to_owned()),
            )
            .await;
        assert_eq!(limited.status, StatusCode::FORBIDDEN);
    }
}
