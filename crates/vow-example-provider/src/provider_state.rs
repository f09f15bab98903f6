//! The provider-states endpoint vow calls before and after replaying an interaction, and the
//! states it knows. Setup puts the shop into the named state; teardown restores the seed data.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::catalogue::{self, Product};
use crate::clock;
use crate::money::Currency;
use crate::shop::{SharedShop, Shop};

/// Every state this provider can set up, as named in contracts' `given` blocks.
pub const STATE_NAMES: &[&str] = &[
    "a cart exists",
    "a cart with items exists",
    "a sku is in stock",
    "a sku is out of stock",
    "a price exists",
    "the card will be declined",
    "no cart exists",
    "the client is rate limited",
    "the payment processor is unavailable",
];

/// Stock a product gets from `a sku is in stock` when the contract names no number.
const DEFAULT_AVAILABLE: u32 = 25;

#[derive(Debug, Deserialize)]
struct StateChange {
    state: String,
    #[serde(default)]
    params: Map<String, Value>,
    #[serde(default)]
    action: Action,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Action {
    #[default]
    Setup,
    Teardown,
}

/// A provider state with its parameters checked.
#[derive(Debug)]
enum ProviderState {
    CartExists {
        cart_id: String,
    },
    CartWithItemsExists {
        cart_id: String,
        product: &'static Product,
        quantity: u32,
    },
    SkuInStock {
        product: &'static Product,
        available: u32,
    },
    SkuOutOfStock {
        product: &'static Product,
    },
    PriceExists,
    CardWillBeDeclined,
    NoCartExists {
        cart_id: String,
    },
    ClientRateLimited,
    ProcessorUnavailable,
}

/// Why a state change was refused; the message goes to the verifier's report as is.
#[derive(Debug)]
pub(crate) struct StateError(String);

impl IntoResponse for StateError {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, Json(json!({ "error": self.0 }))).into_response()
    }
}

/// Reads the body by hand so that malformed JSON is answered in this endpoint's `{error}` shape.
pub(crate) async fn change(
    State(shop): State<SharedShop>,
    body: Bytes,
) -> Result<Json<Value>, StateError> {
    let change: StateChange = serde_json::from_slice(&body)
        .map_err(|err| StateError(format!("invalid provider-state request: {err}")))?;
    match change.action {
        Action::Setup => {
            ProviderState::parse(&change.state, &change.params)?.set_up(&mut shop.lock())
        }
        // Teardown undoes every state at once, so it needs no parameters, only a known name.
        Action::Teardown if STATE_NAMES.contains(&change.state.as_str()) => {
            *shop.lock() = Shop::seeded(clock::now());
        }
        Action::Teardown => return Err(unknown_state(&change.state)),
    }
    Ok(Json(json!({})))
}

impl ProviderState {
    fn parse(name: &str, params: &Map<String, Value>) -> Result<Self, StateError> {
        let params = Params {
            state: name,
            params,
        };
        let state = match name {
            "a cart exists" => ProviderState::CartExists {
                cart_id: params.string("cartId")?,
            },
            "a cart with items exists" => ProviderState::CartWithItemsExists {
                cart_id: params.string("cartId")?,
                product: params.product()?,
                quantity: params.count("quantity")?.unwrap_or(1),
            },
            "a sku is in stock" => ProviderState::SkuInStock {
                product: params.product()?,
                available: params.count("available")?.unwrap_or(DEFAULT_AVAILABLE),
            },
            "a sku is out of stock" => ProviderState::SkuOutOfStock {
                product: params.product()?,
            },
            "a price exists" => {
                // The price list is fixed and complete, so the state only checks that the
                // contract asks for a price the list has.
                params.product()?;
                let currency = params.string("currency")?;
                if Currency::parse(&currency).is_none() {
                    return Err(StateError(format!(
                        "state `{name}`: no prices in {currency}; prices exist in EUR, USD, GBP"
                    )));
                }
                ProviderState::PriceExists
            }
            "the card will be declined" => ProviderState::CardWillBeDeclined,
            "no cart exists" => ProviderState::NoCartExists {
                cart_id: params.string("cartId")?,
            },
            "the client is rate limited" => ProviderState::ClientRateLimited,
            "the payment processor is unavailable" => ProviderState::ProcessorUnavailable,
            _ => return Err(unknown_state(name)),
        };
        Ok(state)
    }

    fn set_up(self, shop: &mut Shop) {
        let now = clock::now();
        match self {
            ProviderState::CartExists { cart_id } => shop.put_cart(&cart_id, &[], now),
            ProviderState::CartWithItemsExists {
                cart_id,
                product,
                quantity,
            } => shop.put_cart(&cart_id, &[(product.sku, quantity)], now),
            ProviderState::SkuInStock { product, available } => {
                shop.set_in_stock(product, available);
            }
            ProviderState::SkuOutOfStock { product } => {
                shop.set_out_of_stock(product, now.date_naive());
            }
            ProviderState::PriceExists => {}
            ProviderState::CardWillBeDeclined => shop.decline_cards(),
            ProviderState::NoCartExists { cart_id } => shop.remove_cart(&cart_id),
            ProviderState::ClientRateLimited => shop.set_rate_limited(),
            ProviderState::ProcessorUnavailable => shop.set_processor_unavailable(),
        }
    }
}

fn unknown_state(name: &str) -> StateError {
    StateError(format!(
        "unknown provider state: {name} (known states: {})",
        STATE_NAMES.join("; ")
    ))
}

/// A state's parameters, read with errors that name the state and the parameter.
struct Params<'a> {
    state: &'a str,
    params: &'a Map<String, Value>,
}

impl Params<'_> {
    fn string(&self, name: &str) -> Result<String, StateError> {
        match self.params.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(other) => {
                Err(self.error(name, &format!("must be a non-empty string, got {other}")))
            }
            None => Err(self.error(name, "is missing")),
        }
    }

    /// A count such as a quantity; contracts may write it as a number or a numeric string.
    fn count(&self, name: &str) -> Result<Option<u32>, StateError> {
        let value = match self.params.get(name) {
            None => return Ok(None),
            Some(value) => value,
        };
        let count = match value {
            Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            Value::String(s) => s.parse().ok(),
            _ => None,
        };
        count
            .map(Some)
            .ok_or_else(|| self.error(name, &format!("must be a whole number ≥ 0, got {value}")))
    }

    fn product(&self) -> Result<&'static Product, StateError> {
        let sku = self.string("sku")?;
        catalogue::product(&sku).ok_or_else(|| {
            let known: Vec<_> = catalogue::PRODUCTS.iter().map(|p| p.sku).collect();
            self.error(
                "sku",
                &format!("{sku} is not in the catalogue ({})", known.join(", ")),
            )
        })
    }

    fn error(&self, param: &str, problem: &str) -> StateError {
        StateError(format!(
            "state `{}`: parameter `{param}` {problem}",
            self.state
        ))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use crate::test_client::TestClient;

    async fn change_state(client: &TestClient, body: serde_json::Value) -> (StatusCode, String) {
        let reply = client.post("/_vow/provider-states", body).await;
        let error = reply.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        (reply.status, error)
    }

    #[tokio::test]
    async fn setup_answers_an_empty_object() {
        let client = TestClient::clean();
        let body =
            json!({"state": "a cart exists", "params": {"cartId": "c-1500"}, "action": "setup"});
        let reply = client.post("/_vow/provider-states", body).await;
        assert_eq!((reply.status, reply.json()), (StatusCode::OK, json!({})));
        assert_eq!(client.get("/carts/c-1500").await.json()["items"], json!([]));
    }

    #[tokio::test]
    async fn an_unknown_state_is_a_400_naming_it() {
        let client = TestClient::clean();
        for action in ["setup", "teardown"] {
            let body = json!({"state": "a unicorn exists", "params": {}, "action": action});
            let (status, error) = change_state(&client, body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(
                error.starts_with("unknown provider state: a unicorn exists"),
                "{error}"
            );
        }
    }

    #[tokio::test]
    async fn a_missing_or_bad_parameter_is_a_400_naming_it() {
        let client = TestClient::clean();
        let (status, error) = change_state(&client, json!({"state": "a cart exists"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error.contains("`cartId` is missing"), "{error}");
        let body = json!({"state": "a sku is in stock", "params": {"sku": "SKU-RED-MUG", "available": -1}});
        let (status, error) = change_state(&client, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error.contains("`available`"), "{error}");
    }

    #[tokio::test]
    async fn counts_may_be_numeric_strings_and_new_carts_skip_named_ids() {
        let client = TestClient::clean();
        let params = json!({"cartId": "c-1700", "sku": "SKU-RED-MUG", "quantity": "3"});
        client.given("a cart with items exists", params).await;
        assert_eq!(
            client.get("/carts/c-1700").await.json()["items"][0]["quantity"],
            3
        );
        // New carts continue after the highest id a state named.
        assert_eq!(
            client.post("/carts", json!({})).await.json()["id"],
            "c-1701"
        );
    }

    #[tokio::test]
    async fn teardown_restores_the_seed_data() {
        let client = TestClient::clean();
        client
            .given("no cart exists", json!({"cartId": "c-1001"}))
            .await;
        assert_eq!(
            client.get("/carts/c-1001").await.status,
            StatusCode::NOT_FOUND
        );
        let body = json!({"state": "no cart exists", "params": {"cartId": "c-1001"}, "action": "teardown"});
        assert_eq!(change_state(&client, body).await.0, StatusCode::OK);
        assert_eq!(client.get("/carts/c-1001").await.json()["total"], "64.90");
    }
}
