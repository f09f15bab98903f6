//! The API's error outcomes and their RFC 9457 problem-details rendering, in one place so every
//! error carries the stable `code` that consumers' contracts name.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::{REALM, Scope};

/// Every way a shop request can fail. Each variant has one status and one stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiError {
    CartNotFound {
        cart_id: String,
    },
    ItemNotFound {
        cart_id: String,
        sku: String,
    },
    SkuNotFound {
        sku: String,
    },
    PriceNotFound {
        sku: String,
        currency: String,
    },
    UnsupportedCurrency {
        currency: String,
    },
    InvalidQuantity {
        quantity: i64,
    },
    InsufficientStock {
        sku: String,
        requested: u32,
        available: u32,
    },
    CartCheckedOut {
        cart_id: String,
    },
    CartEmpty {
        cart_id: String,
    },
    AmountMismatch {
        expected: String,
        got: String,
    },
    UnsupportedPaymentMethod {
        method: String,
    },
    CardDeclined,
    /// The card processor cannot be reached; nothing was charged, so the payment may be retried.
    ProcessorUnavailable,
    MissingCredentials,
    InvalidToken,
    InsufficientScope {
        scope: Scope,
    },
    RateLimited,
    InvalidBody {
        reason: String,
    },
    RouteNotFound {
        path: String,
    },
    ShuttingDown,
}

impl ApiError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::CartNotFound { .. }
            | ApiError::ItemNotFound { .. }
            | ApiError::SkuNotFound { .. }
            | ApiError::PriceNotFound { .. }
            | ApiError::RouteNotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::InsufficientStock { .. }
            | ApiError::CartCheckedOut { .. }
            | ApiError::CartEmpty { .. } => StatusCode::CONFLICT,
            ApiError::UnsupportedCurrency { .. }
            | ApiError::InvalidQuantity { .. }
            | ApiError::AmountMismatch { .. }
            | ApiError::UnsupportedPaymentMethod { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::CardDeclined => StatusCode::PAYMENT_REQUIRED,
            ApiError::MissingCredentials | ApiError::InvalidToken => StatusCode::UNAUTHORIZED,
            ApiError::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiError::InvalidBody { .. } => StatusCode::BAD_REQUEST,
            ApiError::ProcessorUnavailable | ApiError::ShuttingDown => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    /// The stable, machine-readable code consumers branch on.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            ApiError::CartNotFound { .. } => "cart_not_found",
            ApiError::ItemNotFound { .. } => "item_not_found",
            ApiError::SkuNotFound { .. } => "sku_not_found",
            ApiError::PriceNotFound { .. } => "price_not_found",
            ApiError::UnsupportedCurrency { .. } => "unsupported_currency",
            ApiError::InvalidQuantity { .. } => "invalid_quantity",
            ApiError::InsufficientStock { .. } => "insufficient_stock",
            ApiError::CartCheckedOut { .. } => "cart_checked_out",
            ApiError::CartEmpty { .. } => "cart_empty",
            ApiError::AmountMismatch { .. } => "amount_mismatch",
            ApiError::UnsupportedPaymentMethod { .. } => "unsupported_payment_method",
            ApiError::CardDeclined => "card_declined",
            ApiError::ProcessorUnavailable => "processor_unavailable",
            ApiError::MissingCredentials => "unauthenticated",
            ApiError::InvalidToken => "invalid_token",
            ApiError::InsufficientScope { .. } => "insufficient_scope",
            ApiError::RateLimited => "rate_limited",
            ApiError::InvalidBody { .. } => "invalid_body",
            ApiError::RouteNotFound { .. } => "not_found",
            ApiError::ShuttingDown => "shutting_down",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::CartNotFound { .. } => "Cart not found",
            ApiError::ItemNotFound { .. } => "Item not in cart",
            ApiError::SkuNotFound { .. } => "Unknown SKU",
            ApiError::PriceNotFound { .. } => "No price for this SKU and currency",
            ApiError::UnsupportedCurrency { .. } => "Unsupported currency",
            ApiError::InvalidQuantity { .. } => "Invalid quantity",
            ApiError::InsufficientStock { .. } => "Not enough stock",
            ApiError::CartCheckedOut { .. } => "Cart already checked out",
            ApiError::CartEmpty { .. } => "Cart is empty",
            ApiError::AmountMismatch { .. } => "Amount does not match the cart total",
            ApiError::UnsupportedPaymentMethod { .. } => "Unsupported payment method",
            ApiError::CardDeclined => "Card declined",
            ApiError::ProcessorUnavailable => "Payment processor unavailable",
            ApiError::MissingCredentials => "Authentication required",
            ApiError::InvalidToken => "Invalid access token",
            ApiError::InsufficientScope { .. } => "Insufficient scope",
            ApiError::RateLimited => "Too many requests",
            ApiError::InvalidBody { .. } => "Invalid request body",
            ApiError::RouteNotFound { .. } => "Not found",
            ApiError::ShuttingDown => "Service shutting down",
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::CartNotFound { cart_id } => format!("No cart with id {cart_id}."),
            ApiError::ItemNotFound { cart_id, sku } => {
                format!("Cart {cart_id} holds no item with SKU {sku}.")
            }
            ApiError::SkuNotFound { sku } => format!("No product with SKU {sku}."),
            ApiError::PriceNotFound { sku, currency } => {
                format!("SKU {sku} has no price in {currency}.")
            }
            ApiError::UnsupportedCurrency { currency } => {
                format!("{currency} is not one of EUR, USD, GBP.")
            }
            ApiError::InvalidQuantity { quantity } => {
                format!("Quantity must be between 1 and 999, got {quantity}.")
            }
            ApiError::InsufficientStock {
                sku,
                requested,
                available,
            } => format!("Requested {requested} of {sku}, only {available} available."),
            ApiError::CartCheckedOut { cart_id } => {
                format!("Cart {cart_id} is checked out and can no longer change.")
            }
            ApiError::CartEmpty { cart_id } => format!("Cart {cart_id} has no items to pay for."),
            ApiError::AmountMismatch { expected, got } => {
                format!("The cart total is {expected}, the payment is for {got}.")
            }
            ApiError::UnsupportedPaymentMethod { method } => {
                format!("{method} is not one of card, paypal, apple_pay.")
            }
            ApiError::CardDeclined => {
                "The issuing bank declined the card. Ask the customer for another payment method."
                    .to_owned()
            }
            ApiError::ProcessorUnavailable => {
                "The card processor did not answer and nothing was charged. Retry after the \
                 seconds in Retry-After, with the same Idempotency-Key."
                    .to_owned()
            }
            ApiError::MissingCredentials => {
                "Send a bearer token in the Authorization header.".to_owned()
            }
            ApiError::InvalidToken => "The bearer token is not one shop-api issued.".to_owned(),
            ApiError::InsufficientScope { scope } => {
                format!("This operation needs the scope {scope}, which the token does not hold.")
            }
            ApiError::RateLimited => {
                "This client sent too many requests; retry after the seconds in Retry-After."
                    .to_owned()
            }
            ApiError::InvalidBody { reason } => reason.clone(),
            ApiError::RouteNotFound { path } => format!("No resource at {path}."),
            ApiError::ShuttingDown => "The server is shutting down; try again shortly.".to_owned(),
        }
    }

    /// Seconds a client should wait before retrying, for the errors that are worth retrying.
    fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::RateLimited => Some(RATE_LIMIT_RETRY_AFTER_SECONDS),
            ApiError::ProcessorUnavailable => Some(PROCESSOR_RETRY_AFTER_SECONDS),
            _ => None,
        }
    }

    /// The RFC 6750 `WWW-Authenticate` challenge of an authentication or scope failure. A request
    /// with no credentials gets no error code (§3); the others say what was wrong.
    fn challenge(&self) -> Option<String> {
        let realm = format!("Bearer realm=\"{REALM}\"");
        match self {
            ApiError::MissingCredentials => Some(realm),
            ApiError::InvalidToken => Some(format!("{realm}, error=\"invalid_token\"")),
            ApiError::InsufficientScope { scope } => Some(format!(
                "{realm}, error=\"insufficient_scope\", scope=\"{scope}\""
            )),
            _ => None,
        }
    }
}

/// How long a rate-limited client waits: the limiter's window.
const RATE_LIMIT_RETRY_AFTER_SECONDS: u64 = 1;

/// How long the card processor usually takes to fail over.
const PROCESSOR_RETRY_AFTER_SECONDS: u64 = 2;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        let body = json!({
            "type": format!("https://docs.shop-api.example/problems/{}", code.replace('_', "-")),
            "title": self.title(),
            "status": status.as_u16(),
            "detail": self.detail(),
            "code": code,
        });
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(challenge) = self.challenge().and_then(|c| HeaderValue::try_from(c).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}
