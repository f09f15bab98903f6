//! Bearer-token access control: the fixed demo token table, the scopes it grants, and the layer
//! that refuses a request without a token (401) or without the operation's scope (403) before any
//! handler runs, with the RFC 6750 `WWW-Authenticate` challenge vow's auth probes look for.

use std::fmt;

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::operation::Operation;
use crate::problem::ApiError;

/// The realm every challenge names.
pub(crate) const REALM: &str = "shop-api";

/// An OAuth2 scope shop-api grants. Each operation needs exactly one (see
/// [`Operation::required_scope`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    CartRead,
    CartWrite,
    PaymentsCreate,
    CatalogueRead,
    InventoryRead,
}

impl Scope {
    /// The scope as tokens and challenges spell it, e.g. `cart:write`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CartRead => "cart:read",
            Scope::CartWrite => "cart:write",
            Scope::PaymentsCreate => "payments:create",
            Scope::CatalogueRead => "catalogue:read",
            Scope::InventoryRead => "inventory:read",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A bearer token shop-api accepts, the consumer it was issued to and the scopes it holds.
#[derive(Debug)]
pub struct DemoToken {
    pub token: &'static str,
    pub client: &'static str,
    pub scopes: &'static [Scope],
}

impl DemoToken {
    pub fn holds(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// Every token shop-api accepts. These are published demo values, not secrets: anyone trying the
/// example needs them, and vow reads them from the environment like real credentials. Each
/// consumer has a full token and a limited one, so the 403 probe has a credential to refuse.
pub const DEMO_TOKENS: &[DemoToken] = &[
    DemoToken {
        token: "checkout-web-demo-token",
        client: "checkout-web",
        scopes: &[Scope::CartRead, Scope::CartWrite, Scope::PaymentsCreate],
    },
    DemoToken {
        token: "checkout-web-limited-token",
        client: "checkout-web",
        scopes: &[Scope::CartRead],
    },
    DemoToken {
        token: "storefront-web-demo-token",
        client: "storefront-web",
        scopes: &[Scope::CatalogueRead, Scope::InventoryRead],
    },
    DemoToken {
        token: "storefront-web-limited-token",
        client: "storefront-web",
        scopes: &[Scope::InventoryRead],
    },
    DemoToken {
        token: "mobile-app-demo-token",
        client: "mobile-app",
        scopes: &[Scope::CartRead, Scope::CartWrite, Scope::InventoryRead],
    },
    DemoToken {
        token: "mobile-app-limited-token",
        client: "mobile-app",
        scopes: &[Scope::InventoryRead],
    },
];

/// The layer around every route: operations that need a scope are refused here, so handlers only
/// see callers allowed to call them. The open endpoints pass untouched.
pub(crate) async fn authorize(request: Request, next: Next) -> Response {
    if let Some(scope) = Operation::of(&request).and_then(Operation::required_scope)
        && let Err(refusal) = check(request.headers(), scope)
    {
        return refusal.into_response();
    }
    next.run(request).await
}

/// Whether the request's credentials allow an operation that needs `scope`.
pub(crate) fn check(headers: &HeaderMap, scope: Scope) -> Result<&'static DemoToken, ApiError> {
    let token = bearer_token(headers).ok_or(ApiError::MissingCredentials)?;
    let granted = DEMO_TOKENS
        .iter()
        .find(|demo| demo.token == token)
        .ok_or(ApiError::InvalidToken)?;
    if granted.holds(scope) {
        Ok(granted)
    } else {
        Err(ApiError::InsufficientScope { scope })
    }
}

/// A demo token holding `scope`.
pub(crate) fn token_holding(scope: Scope) -> Option<&'static str> {
    DEMO_TOKENS
        .iter()
        .find(|demo| demo.holds(scope))
        .map(|demo| demo.token)
}

/// The token of an `Authorization: Bearer …` header. Another scheme counts as no credentials at
/// all (RFC 6750 §3: the challenge then carries no error code).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use axum::http::{Method, StatusCode};
    use serde_json::{Value, json};

    use super::*;
    use crate::test_client::{Reply, TestClient};

    /// One request per operation that needs a scope, with the scope it needs.
    fn operations() -> [(&'static str, Method, &'static str, Option<Value>); 8] {
        let item = json!({"sku": "SKU-RED-MUG", "quantity": 1});
        let payment =
            json!({"cartId": "c-1001", "amount": "64.90", "currency": "EUR", "method": "card"});
        [
            ("create-cart", Method::POST, "/carts", Some(json!({}))),
            ("get-cart", Method::GET, "/carts/c-1001", None),
            (
                "get-cart-summary",
                Method::GET,
                "/carts/c-1001/summary",
                None,
            ),
            ("add-item", Method::POST, "/carts/c-1001/items", Some(item)),
            (
                "remove-item",
                Method::DELETE,
                "/carts/c-1001/items/SKU-OAK-BOARD",
                None,
            ),
            ("get-price", Method::GET, "/prices/SKU-RED-MUG", None),
            ("get-inventory", Method::GET, "/inventory/SKU-RED-MUG", None),
            (
                "authorize-payment",
                Method::POST,
                "/payments",
                Some(payment),
            ),
        ]
    }

    async fn call(label: &str, token: Option<&str>) -> Reply {
        let (_, method, uri, body) = operations()
            .into_iter()
            .find(|(l, ..)| *l == label)
            .expect("a known operation");
        TestClient::clean()
            .send_as(method, uri, body, token.map(|t| format!("Bearer {t}")))
            .await
    }

    #[tokio::test]
    async fn head_requests_are_guarded_like_get() {
        let client = TestClient::clean();
        let anonymous = client
            .send_as(Method::HEAD, "/carts/c-1001", None, None)
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        let held = client
            .send_as(
                Method::HEAD,
                "/carts/c-1001",
                None,
                Some("Bearer checkout-web-demo-token".to_owned()),
            )
            .await;
        assert_eq!(held.status, StatusCode::OK);
    }

    #[tokio::test]
    async fn each_token_reaches_exactly_the_operations_its_scopes_allow() {
        // Written out by hand rather than derived from the table, so a wrong grant shows here.
        let allowed: [(&str, &[&str]); 6] = [
            (
                "checkout-web-demo-token",
                &[
                    "create-cart",
                    "get-cart",
                    "get-cart-summary",
                    "add-item",
                    "remove-item",
                    "authorize-payment",
                ],
            ),
            (
                "checkout-web-limited-token",
                &["get-cart", "get-cart-summary"],
            ),
            ("storefront-web-demo-token", &["get-price", "get-inventory"]),
            ("storefront-web-limited-token", &["get-inventory"]),
            (
                "mobile-app-demo-token",
                &[
                    "create-cart",
                    "get-cart",
                    "get-cart-summary",
                    "add-item",
                    "remove-item",
                    "get-inventory",
                ],
            ),
            ("mobile-app-limited-token", &["get-inventory"]),
        ];
        assert_eq!(allowed.len(), DEMO_TOKENS.len());
        for (token, labels) in allowed {
            for (label, ..) in operations() {
                let reply = call(label, Some(token)).await;
                if labels.contains(&label) {
                    assert!(
                        reply.status.is_success(),
                        "{token} on {label}: {} {}",
                        reply.status,
                        reply.text
                    );
                } else {
                    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{token} on {label}");
                    assert_eq!(reply.json()["code"], "insufficient_scope");
                }
            }
        }
    }

    #[tokio::test]
    async fn a_missing_scope_is_a_403_problem_naming_the_scope_in_the_challenge() {
        let reply = call("create-cart", Some("checkout-web-limited-token")).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(
            reply.header("www-authenticate"),
            Some(r#"Bearer realm="shop-api", error="insufficient_scope", scope="cart:write""#)
        );
        assert!(
            reply.json()["detail"]
                .as_str()
                .unwrap()
                .contains("cart:write")
        );
    }

    #[tokio::test]
    async fn no_token_is_a_401_with_a_bare_challenge_on_every_operation() {
        for (label, ..) in operations() {
            let reply = call(label, None).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{label}");
            assert_eq!(
                reply.header("www-authenticate"),
                Some(r#"Bearer realm="shop-api""#),
                "{label}"
            );
            assert_eq!(
                reply.header("content-type"),
                Some("application/problem+json")
            );
            assert_eq!(reply.json()["code"], "unauthenticated", "{label}");
        }
    }

    #[tokio::test]
    async fn another_scheme_counts_as_no_token_and_an_unknown_token_is_invalid() {
        let client = TestClient::clean();
        let basic = client
            .send_as(
                Method::GET,
                "/carts/c-1001",
                None,
                Some("Basic Y2hlY2tvdXQ6d2Vi".to_owned()),
            )
            .await;
        assert_eq!(basic.status, StatusCode::UNAUTHORIZED);
        assert_eq!(basic.json()["code"], "unauthenticated");

        let unknown = call("get-cart", Some("checkout-web-demo-token-2")).await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            unknown.header("www-authenticate"),
            Some(r#"Bearer realm="shop-api", error="invalid_token""#)
        );
        assert_eq!(unknown.json()["code"], "invalid_token");
    }

    #[tokio::test]
    async fn the_scheme_name_ignores_case() {
        let reply = TestClient::clean()
            .send_as(
                Method::GET,
                "/carts/c-1001",
                None,
                Some("bearer checkout-web-demo-token".to_owned()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
    }

    #[tokio::test]
    async fn health_provider_states_and_unknown_routes_need_no_token() {
        let client = TestClient::clean();
        assert_eq!(
            client
                .send_as(Method::GET, "/healthz", None, None)
                .await
                .status,
            StatusCode::OK
        );
        let state = json!({"state": "a cart exists", "params": {"cartId": "c-1500"}});
        let reply = client
            .send_as(Method::POST, "/_vow/provider-states", Some(state), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let unknown = client.send_as(Method::GET, "/orders/1", None, None).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn every_scope_is_held_by_some_token_and_tokens_are_named_after_their_client() {
        let all = [
            Scope::CartRead,
            Scope::CartWrite,
            Scope::PaymentsCreate,
            Scope::CatalogueRead,
            Scope::InventoryRead,
        ];
        for scope in all {
            assert!(token_holding(scope).is_some(), "{scope}");
        }
        for demo in DEMO_TOKENS {
            assert!(
                demo.token.starts_with(demo.client),
                "{} is not named after {}",
                demo.token,
                demo.client
            );
        }
    }
}
