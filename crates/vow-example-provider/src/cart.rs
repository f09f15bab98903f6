//! The cart endpoints (create, fetch, add and remove items, and the deprecated summary) and the
//! cart's JSON representations.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::money::{Amount, Currency};
use crate::problem::ApiError;
use crate::request_body::JsonBody;
use crate::shop::{Cart, CartStatus, SharedShop};

/// A cart as the API shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CartView {
    id: String,
    status: CartStatus,
    currency: Currency,
    items: Vec<ItemView>,
    /// Deprecated since clients count `items` themselves; kept for mobile apps still reading it.
    item_count: u32,
    total: Amount,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemView {
    sku: &'static str,
    name: &'static str,
    quantity: u32,
    unit_price: Amount,
}

impl From<&Cart> for CartView {
    fn from(cart: &Cart) -> Self {
        CartView {
            id: cart.id.clone(),
            status: cart.status,
            currency: cart.currency,
            items: cart
                .items
                .iter()
                .map(|item| ItemView {
                    sku: item.sku,
                    name: item.name,
                    quantity: item.quantity,
                    unit_price: item.unit_price,
                })
                .collect(),
            item_count: cart.item_count(),
            total: cart.total(),
            created_at: cart.created_at,
        }
    }
}

/// The legacy compact view of `GET /carts/{cartId}/summary`, from before the cart badge counted
/// items itself. Deprecated: see `deprecation::CART_SUMMARY`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SummaryView {
    id: String,
    currency: Currency,
    item_count: u32,
    total: Amount,
}

impl From<&Cart> for SummaryView {
    fn from(cart: &Cart) -> Self {
        SummaryView {
            id: cart.id.clone(),
            currency: cart.currency,
            item_count: cart.item_count(),
            total: cart.total(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewCart {
    #[serde(default)]
    currency: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewItem {
    sku: String,
    quantity: i64,
}

pub(crate) async fn create(
    State(shop): State<SharedShop>,
    JsonBody(new): JsonBody<NewCart>,
) -> Result<impl IntoResponse, ApiError> {
    let currency = match new.currency {
        Some(code) => {
            Currency::parse(&code).ok_or(ApiError::UnsupportedCurrency { currency: code })?
        }
        None => Currency::Eur,
    };
    let mut shop = shop.lock();
    let cart = shop.create_cart(currency, clock::now());
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/carts/{}", cart.id))],
        Json(CartView::from(cart)),
    ))
}

pub(crate) async fn get(
    State(shop): State<SharedShop>,
    Path(cart_id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let shop = shop.lock();
    Ok(Json(CartView::from(shop.cart(&cart_id)?)))
}

pub(crate) async fn summary(
    State(shop): State<SharedShop>,
    Path(cart_id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let shop = shop.lock();
    Ok(Json(SummaryView::from(shop.cart(&cart_id)?)))
}

pub(crate) async fn add_item(
    State(shop): State<SharedShop>,
    Path(cart_id): Path<String>,
    JsonBody(item): JsonBody<NewItem>,
) -> Result<impl IntoResponse, ApiError> {
    let mut shop = shop.lock();
    let cart = shop.add_item(&cart_id, &item.sku, item.quantity)?;
    Ok((StatusCode::CREATED, Json(CartView::from(cart))))
}

pub(crate) async fn remove_item(
    State(shop): State<SharedShop>,
    Path((cart_id, sku)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    shop.lock().remove_item(&cart_id, &sku)?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use crate::test_client::TestClient;

    #[tokio::test]
    async fn creating_a_cart_answers_201_with_its_location_and_an_empty_open_cart() {
        let client = TestClient::clean();
        let reply = client.post("/carts", json!({"currency": "GBP"})).await;
        assert_eq!(reply.status, StatusCode::CREATED);
        let cart = reply.json();
        assert_eq!(
            reply.header("location"),
            Some(format!("/carts/{}", cart["id"].as_str().unwrap()).as_str())
        );
        assert_eq!(cart["status"], "open");
        assert_eq!(cart["currency"], "GBP");
        assert_eq!(cart["items"], json!([]));
        assert_eq!(cart["total"], "0.00");
        assert!(chrono::DateTime::parse_from_rfc3339(cart["createdAt"].as_str().unwrap()).is_ok());
    }

    #[tokio::test]
    async fn a_cart_without_a_body_is_priced_in_euros() {
        let reply = TestClient::clean().post_without_body("/carts").await;
        assert_eq!(reply.status, StatusCode::CREATED);
        assert_eq!(reply.json()["currency"], "EUR");
    }

    #[tokio::test]
    async fn the_seeded_cart_lists_its_items_and_their_total() {
        let cart = TestClient::clean().get("/carts/c-1001").await.json();
        assert_eq!(
            cart,
            json!({
                "id": "c-1001",
                "status": "open",
                "currency": "EUR",
                "items": [
                    {"sku": "SKU-RED-MUG", "name": "Red enamel mug", "quantity": 2, "unitPrice": "12.50"},
                    {"sku": "SKU-OAK-BOARD", "name": "Oak chopping board", "quantity": 1, "unitPrice": "39.90"},
                ],
                "itemCount": 3,
                "total": "64.90",
                "createdAt": "2026-11-02T10:00:00Z",
            })
        );
    }

    #[tokio::test]
    async fn an_unknown_cart_is_a_404_problem_with_code_cart_not_found() {
        let reply = TestClient::clean().get("/carts/c-9999").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
        let problem = reply.json();
        assert_eq!(problem["code"], "cart_not_found");
        assert_eq!(problem["status"], 404);
        assert!(problem["type"].is_string() && problem["title"].is_string());
        assert!(problem["detail"].as_str().unwrap().contains("c-9999"));
    }

    #[tokio::test]
    async fn adding_the_same_sku_twice_adds_to_its_line() {
        let client = TestClient::clean();
        client
            .given("a cart exists", json!({"cartId": "c-2001"}))
            .await;
        let item = json!({"sku": "SKU-BLUE-TEE", "quantity": 2});
        let first = client.post("/carts/c-2001/items", item.clone()).await;
        assert_eq!(first.status, StatusCode::CREATED);
        let cart = client.post("/carts/c-2001/items", item).await.json();
        assert_eq!(cart["items"].as_array().unwrap().len(), 1);
        assert_eq!(cart["items"][0]["quantity"], 4);
        assert_eq!(cart["total"], "96.00");
    }

    #[tokio::test]
    async fn removing_an_item_answers_204_and_a_second_removal_404() {
        let client = TestClient::clean();
        let reply = client.delete("/carts/c-1001/items/SKU-RED-MUG").await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
        assert_eq!(reply.text, "");
        let cart = client.get("/carts/c-1001").await.json();
        assert_eq!(cart["total"], "39.90");
        let again = client.delete("/carts/c-1001/items/SKU-RED-MUG").await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        assert_eq!(again.json()["code"], "item_not_found");
    }

    #[tokio::test]
    async fn bad_item_requests_are_refused_with_their_own_codes() {
        let client = TestClient::clean();
        let cases = [
            (
                json!({"sku": "SKU-NOPE", "quantity": 1}),
                StatusCode::NOT_FOUND,
                "sku_not_found",
            ),
            (
                json!({"sku": "SKU-RED-MUG", "quantity": 0}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_quantity",
            ),
            (
                json!({"sku": "SKU-OAK-BOARD", "quantity": 9}),
                StatusCode::CONFLICT,
                "insufficient_stock",
            ),
            (
                json!({"sku": "SKU-RED-MUG"}),
                StatusCode::BAD_REQUEST,
                "invalid_body",
            ),
        ];
        for (body, status, code) in cases {
            let reply = client.post("/carts/c-1001/items", body.clone()).await;
            assert_eq!(
                (reply.status, reply.json()["code"].clone()),
                (status, json!(code)),
                "{body}"
            );
        }
    }
}
