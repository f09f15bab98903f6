//! The payment endpoint: authorises a payment for a cart's total and checks the cart out.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::money::{Amount, Currency};
use crate::problem::ApiError;
use crate::request_body::JsonBody;
use crate::shop::{PaymentRequest, SharedShop};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NewPayment {
    cart_id: String,
    /// A decimal string such as `"25.00"`, like every amount in this API.
    amount: String,
    currency: String,
    method: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentView {
    id: String,
    status: &'static str,
    cart_id: String,
    amount: Amount,
    currency: Currency,
    authorized_at: DateTime<Utc>,
}

pub(crate) async fn authorize(
    State(shop): State<SharedShop>,
    JsonBody(new): JsonBody<NewPayment>,
) -> Result<impl IntoResponse, ApiError> {
    let request = PaymentRequest {
        cart_id: &new.cart_id,
        amount: &new.amount,
        currency: &new.currency,
        method: &new.method,
    };
    let payment = shop.lock().authorize_payment(&request, clock::now())?;
    let view = PaymentView {
        id: payment.id,
        status: "authorized",
        cart_id: payment.cart_id,
        amount: payment.amount,
        currency: payment.currency,
        authorized_at: payment.authorized_at,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use crate::test_client::TestClient;

    fn payment_for_two_mugs() -> serde_json::Value {
        json!({"cartId": "c-3001", "amount": "25.00", "currency": "EUR", "method": "card"})
    }

    async fn client_with_two_mugs_in_a_cart() -> TestClient {
        let client = TestClient::clean();
        client
            .given(
                "a cart with items exists",
                json!({"cartId": "c-3001", "sku": "SKU-RED-MUG", "quantity": 2}),
            )
            .await;
        client
    }

    #[tokio::test]
    async fn a_payment_for_the_cart_total_is_authorised_and_checks_the_cart_out() {
        let client = client_with_two_mugs_in_a_cart().await;
        let reply = client.post("/payments", payment_for_two_mugs()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let payment = reply.json();
        assert!(payment["id"].as_str().unwrap().starts_with("pay_"));
        assert_eq!(payment["status"], "authorized");
        assert_eq!(
            (payment["amount"].clone(), payment["currency"].clone()),
            (json!("25.00"), json!("EUR"))
        );
        assert!(
            chrono::DateTime::parse_from_rfc3339(payment["authorizedAt"].as_str().unwrap()).is_ok()
        );
        assert_eq!(
            client.get("/carts/c-3001").await.json()["status"],
            "checked_out"
        );
    }

    #[tokio::test]
    async fn a_declined_card_is_a_402_problem_until_teardown() {
        let client = client_with_two_mugs_in_a_cart().await;
        client.given("the card will be declined", json!({})).await;
        let reply = client.post("/payments", payment_for_two_mugs()).await;
        assert_eq!(reply.status, StatusCode::PAYMENT_REQUIRED);
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(reply.json()["code"], "card_declined");
        assert_eq!(client.get("/carts/c-3001").await.json()["status"], "open");

        let teardown = json!({"state": "the card will be declined", "action": "teardown"});
        assert_eq!(
            client.post("/_vow/provider-states", teardown).await.status,
            StatusCode::OK
        );
        client
            .given(
                "a cart with items exists",
                json!({"cartId": "c-3001", "sku": "SKU-RED-MUG", "quantity": 2}),
            )
            .await;
        let reply = client.post("/payments", payment_for_two_mugs()).await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }

    #[tokio::test]
    async fn an_unavailable_processor_is_a_503_to_retry_later_that_charges_nothing() {
        let client = client_with_two_mugs_in_a_cart().await;
        client
            .given("the payment processor is unavailable", json!({}))
            .await;
        // The processor is asked before the bank, so it wins over a declined card.
        client.given("the card will be declined", json!({})).await;
        let reply = client.post("/payments", payment_for_two_mugs()).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.header("retry-after"), Some("2"));
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(reply.json()["code"], "processor_unavailable");
        assert_eq!(client.get("/carts/c-3001").await.json()["status"], "open");
    }

    #[tokio::test]
    async fn a_declined_card_carries_no_retry_after() {
        let client = client_with_two_mugs_in_a_cart().await;
        client.given("the card will be declined", json!({})).await;
        let reply = client.post("/payments", payment_for_two_mugs()).await;
        assert_eq!(reply.status, StatusCode::PAYMENT_REQUIRED);
        assert_eq!(reply.header("retry-after"), None);
    }

    #[tokio::test]
    async fn a_payment_for_another_amount_is_refused() {
        let client = client_with_two_mugs_in_a_cart().await;
        let mut body = payment_for_two_mugs();
        body["amount"] = json!("24.99");
        let reply = client.post("/payments", body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.json()["code"], "amount_mismatch");
    }
}
