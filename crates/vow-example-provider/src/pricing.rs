//! The price endpoint: a product's unit price in one currency, with volume tiers.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query};
use chrono::{DateTime, Days, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue;
use crate::clock;
use crate::money::{Amount, Currency};
use crate::problem::ApiError;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PriceView {
    sku: &'static str,
    currency: Currency,
    amount: Amount,
    /// Deprecated: storefronts should format `amount` for the shopper's locale themselves.
    formatted: String,
    valid_until: DateTime<Utc>,
    /// Unit price by minimum quantity; keys are quantities as strings because JSON keys must be.
    tiers: BTreeMap<String, Amount>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PriceQuery {
    currency: Option<String>,
}

pub(crate) async fn get(
    Path(sku): Path<String>,
    Query(query): Query<PriceQuery>,
) -> Result<Json<PriceView>, ApiError> {
    let currency = match query.currency {
        Some(code) => {
            Currency::parse(&code).ok_or(ApiError::UnsupportedCurrency { currency: code })?
        }
        None => Currency::Eur,
    };
    let product = catalogue::product(&sku).ok_or_else(|| ApiError::PriceNotFound {
        sku: sku.clone(),
        currency: currency.to_string(),
    })?;
    let amount = product.unit_price(currency);
    Ok(Json(PriceView {
        sku: product.sku,
        currency,
        amount,
        formatted: currency.format(amount),
        valid_until: end_of_day(clock::now()),
        tiers: product
            .tiers(currency)
            .into_iter()
            .map(|(min_quantity, unit_price)| (min_quantity.to_string(), unit_price))
            .collect(),
    }))
}

/// Prices are set daily, so a quote holds until the next midnight UTC.
fn end_of_day(now: DateTime<Utc>) -> DateTime<Utc> {
    let tomorrow = now.date_naive().checked_add_days(Days::new(1));
    tomorrow
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map_or(now, |midnight| midnight.and_utc())
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use crate::test_client::TestClient;

    #[tokio::test]
    async fn a_price_has_decimal_amounts_tiers_by_quantity_and_an_expiry() {
        let reply = TestClient::clean()
            .get("/prices/SKU-RED-MUG?currency=USD")
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let price = reply.json();
        assert_eq!(price["sku"], "SKU-RED-MUG");
        assert_eq!(price["currency"], "USD");
        assert_eq!(price["amount"], "13.90");
        assert_eq!(price["formatted"], "$13.90");
        assert_eq!(
            price["tiers"],
            json!({"1": "13.90", "10": "12.51", "50": "11.12"})
        );
        let valid_until = price["validUntil"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(valid_until).is_ok(),
            "{valid_until}"
        );
    }

    #[tokio::test]
    async fn the_currency_defaults_to_euros_and_must_be_one_the_shop_prices_in() {
        let client = TestClient::clean();
        assert_eq!(
            client.get("/prices/SKU-RED-MUG").await.json()["currency"],
            "EUR"
        );
        let reply = client.get("/prices/SKU-RED-MUG?currency=JPY").await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.json()["code"], "unsupported_currency");
    }

    #[tokio::test]
    async fn an_unknown_sku_has_no_price() {
        let reply = TestClient::clean()
            .get("/prices/SKU-NOPE?currency=EUR")
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.json()["code"], "price_not_found");
    }
}
