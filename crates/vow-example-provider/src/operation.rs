//! The API's operations and their routes, named once so the router and the fault layer agree on
//! which request is which.

use axum::extract::{MatchedPath, Request};

use crate::auth::Scope;

pub(crate) const CARTS: &str = "/carts";
pub(crate) const CART: &str = "/carts/{cartId}";
pub(crate) const CART_SUMMARY: &str = "/carts/{cartId}/summary";
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
    GetCartSummary,
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
        // axum answers HEAD with the GET handler, so HEAD is guarded as GET is.
        let method = match request.method().as_str() {
            "HEAD" => "GET",
            other => other,
        };
        let operation = match (method, route) {
            ("POST", CARTS) => Operation::CreateCart,
            ("GET", CART) => Operation::GetCart,
            ("GET", CART_SUMMARY) => Operation::GetCartSummary,
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

    /// The scope a caller's token must hold. `None` for the open endpoints (the health check and
    /// vow's provider-state hook): they need no credentials and are never rate limited, so vow can
    /// always set up and reset states.
    pub(crate) fn required_scope(self) -> Option<Scope> {
        match self {
            Operation::CreateCart | Operation::AddItem | Operation::RemoveItem => {
                Some(Scope::CartWrite)
            }
            Operation::GetCart | Operation::GetCartSummary => Some(Scope::CartRead),
            Operation::GetPrice => Some(Scope::CatalogueRead),
            Operation::GetInventory => Some(Scope::InventoryRead),
            Operation::AuthorizePayment => Some(Scope::PaymentsCreate),
            Operation::ChangeProviderState | Operation::Health => None,
        }
    }

    /// Whether a successful response carries a cart representation.
    pub(crate) fn returns_cart(self) -> bool {
        matches!(
            self,
            Operation::CreateCart | Operation::GetCart | Operation::AddItem
        )
    }
}
