//! The API's operations and their routes, named once so the router and the fault layer agree on
//! which request is which.

use axum::extract::{MatchedPath, Request};

pub(crate) const CARTS: &str = "/carts";
pub(crate) const CART: &str = "/carts/{cartId}";
pub(crate) const CART_ITEMS: &str = "/carts/{cartId}/items";
pub(crate) const CART_ITEM: &str = "/carts/{cartId}/items/{sku}";
pub(crate) const PRICE: &str = "/prices/{sku}";
pub(crate) const INVENTORY: &str = "/inventory/{sku}";
pub(crate) const PAYMENTS: &str = "/payments";
pub(crate) const PROVIDER_STATES: &str = "/_vow/provider-states";
pub(crate) const HEALTH: &str = "/healthz";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    CreateCart,
    GetCart,
    AddItem,
    RemoveItem,
    GetPrice,
    GetInventory,
    AuthorizePayment,
    ChangeProviderState,
    Health,
}

impl Operation {
    /// The operation a routed request is for; `None` for requests no route matched.
    pub(crate) fn of(request: &Request) -> Option<Operation> {
        let route = request.extensions().get::<MatchedPath>()?.as_str();
        let operation = match (request.method().as_str(), route) {
            ("POST", CARTS) => Operation::CreateCart,
            ("GET", CART) => Operation::GetCart,
            ("POST", CART_ITEMS) => Operation::AddItem,
            ("DELETE", CART_ITEM) => Operation::RemoveItem,
            ("GET", PRICE) => Operation::GetPrice,
            ("GET", INVENTORY) => Operation::GetInventory,
            ("POST", PAYMENTS) => Operation::AuthorizePayment,
            ("POST", PROVIDER_STATES) => Operation::ChangeProviderState,
            ("GET", HEALTH) => Operation::Health,
            _ => return None,
        };
        Some(operation)
    }

    /// Whether a successful response carries a cart representation.
    pub(crate) fn returns_cart(self) -> bool {
        matches!(
            self,
            Operation::CreateCart | Operation::GetCart | Operation::AddItem
        )
    }
}
