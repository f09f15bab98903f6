//! The inventory endpoint: how many units of a product can ship, per warehouse.

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use serde::Serialize;

use crate::problem::ApiError;
use crate::shop::SharedShop;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InventoryView {
    sku: &'static str,
    available: u32,
    warehouses: Vec<WarehouseView>,
    /// `null` while the product is in stock.
    restock_date: Option<NaiveDate>,
}

#[derive(Debug, Serialize)]
struct WarehouseView {
    code: &'static str,
    available: u32,
}

pub(crate) async fn get(
    State(shop): State<SharedShop>,
    Path(sku): Path<String>,
) -> Result<Json<InventoryView>, ApiError> {
    let shop = shop.lock();
    let (sku, stock) = shop.stock(&sku)?;
    Ok(Json(InventoryView {
        sku,
        available: stock.available(),
        warehouses: stock
            .warehouses
            .iter()
            .map(|&(code, available)| WarehouseView { code, available })
            .collect(),
        restock_date: stock.restock_date,
    }))
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use crate::test_client::TestClient;

    #[tokio::test]
    async fn stock_in_hand_is_split_over_warehouses_with_no_restock_date() {
        let client = TestClient::clean();
        client
            .given(
                "a sku is in stock",
                json!({"sku": "SKU-LINEN-APRON", "available": 7}),
            )
            .await;
        let inventory = client.get("/inventory/SKU-LINEN-APRON").await.json();
        assert_eq!(
            inventory,
            json!({
                "sku": "SKU-LINEN-APRON",
                "available": 7,
                "warehouses": [{"code": "AMS1", "available": 4}, {"code": "DUB1", "available": 3}],
                "restockDate": null,
            })
        );
    }

    #[tokio::test]
    async fn an_out_of_stock_sku_has_nothing_available_and_a_restock_date() {
        let client = TestClient::clean();
        client
            .given("a sku is out of stock", json!({"sku": "SKU-RED-MUG"}))
            .await;
        let inventory = client.get("/inventory/SKU-RED-MUG").await.json();
        assert_eq!(inventory["available"], 0);
        let restock = inventory["restockDate"].as_str().unwrap();
        assert!(
            chrono::NaiveDate::parse_from_str(restock, "%Y-%m-%d").is_ok(),
            "{restock}"
        );
    }

    #[tokio::test]
    async fn an_unknown_sku_is_a_404_problem() {
        let reply = TestClient::clean().get("/inventory/SKU-NOPE").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.json()["code"], "sku_not_found");
    }
}
