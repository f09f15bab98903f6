//! The shop's in-memory state (carts, stock, payments) and the business rules that change it. Kept
//! free of HTTP so handlers and provider states share one set of rules.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};

use crate::catalogue::{self, Product};
use crate::money::{Amount, Currency};
use crate::problem::ApiError;

/// Orders never ask for more than this of one product; larger numbers are typos.
const MAX_QUANTITY: i64 = 999;

/// The warehouses stock is held in, in the order inventory lists them.
const WAREHOUSES: [&str; 2] = ["AMS1", "DUB1"];

/// How long an out-of-stock product takes to come back.
const RESTOCK_DAYS: u64 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CartStatus {
    Open,
    CheckedOut,
}

#[derive(Debug, Clone)]
pub(crate) struct Cart {
    pub(crate) id: String,
    pub(crate) status: CartStatus,
    pub(crate) currency: Currency,
    pub(crate) items: Vec<CartItem>,
    pub(crate) created_at: DateTime<Utc>,
}

/// A line of a cart. Name and unit price are copied when the line is added, as a real shop does,
/// so later catalogue changes don't alter an open cart.
#[derive(Debug, Clone)]
pub(crate) struct CartItem {
    pub(crate) sku: &'static str,
    pub(crate) name: &'static str,
    pub(crate) quantity: u32,
    pub(crate) unit_price: Amount,
}

impl Cart {
    pub(crate) fn total(&self) -> Amount {
        self.items
            .iter()
            .map(|item| item.unit_price.times(item.quantity))
            .sum()
    }

    pub(crate) fn item_count(&self) -> u32 {
        self.items.iter().map(|item| item.quantity).sum()
    }

    fn add(&mut self, product: &'static Product, quantity: u32) {
        match self.items.iter_mut().find(|item| item.sku == product.sku) {
            Some(item) => item.quantity += quantity,
            None => self.items.push(CartItem {
                sku: product.sku,
                name: product.name,
                quantity,
                unit_price: product.unit_price(self.currency),
            }),
        }
    }

    fn quantity_of(&self, sku: &str) -> u32 {
        self.items
            .iter()
            .filter(|item| item.sku == sku)
            .map(|item| item.quantity)
            .sum()
    }
}

/// Stock of one product across the warehouses.
#[derive(Debug, Clone)]
pub(crate) struct Stock {
    pub(crate) warehouses: Vec<(&'static str, u32)>,
    /// When an out-of-stock product is expected back; `None` while it is in stock.
    pub(crate) restock_date: Option<NaiveDate>,
}

impl Stock {
    /// `available` units spread over the warehouses, the first taking the larger half.
    fn in_stock(available: u32) -> Self {
        let second = available / 2;
        Stock {
            warehouses: vec![(WAREHOUSES[0], available - second), (WAREHOUSES[1], second)],
            restock_date: None,
        }
    }

    fn out_of_stock(today: NaiveDate) -> Self {
        Stock {
            warehouses: WAREHOUSES.iter().map(|code| (*code, 0)).collect(),
            restock_date: today.checked_add_days(Days::new(RESTOCK_DAYS)),
        }
    }

    pub(crate) fn available(&self) -> u32 {
        self.warehouses.iter().map(|(_, units)| units).sum()
    }
}

/// An authorised payment for a cart.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) id: String,
    pub(crate) cart_id: String,
    pub(crate) amount: Amount,
    pub(crate) currency: Currency,
    pub(crate) authorized_at: DateTime<Utc>,
}

/// What a consumer asks to pay: the fields of `POST /payments`, still unchecked.
#[derive(Debug)]
pub(crate) struct PaymentRequest<'a> {
    pub(crate) cart_id: &'a str,
    pub(crate) amount: &'a str,
    pub(crate) currency: &'a str,
    pub(crate) method: &'a str,
}

const PAYMENT_METHODS: [&str; 3] = ["card", "paypal", "apple_pay"];

#[derive(Debug)]
pub(crate) struct Shop {
    carts: BTreeMap<String, Cart>,
    stock: BTreeMap<&'static str, Stock>,
    /// The number in the newest cart id; the next cart gets the one after.
    last_cart_number: u64,
    payments_authorized: u64,
    /// Set by the `the card will be declined` provider state; the shop has no real card network.
    decline_cards: bool,
    /// Set by the `the payment processor is unavailable` provider state.
    processor_unavailable: bool,
    /// Set by the `the client is rate limited` provider state; the shop counts no real traffic.
    rate_limited: bool,
}

impl Shop {
    /// The data the shop starts with, and returns to on provider-state teardown.
    pub(crate) fn seeded(now: DateTime<Utc>) -> Self {
        let stock = [
            ("SKU-RED-MUG", Some(42)),
            ("SKU-OAK-BOARD", Some(8)),
            ("SKU-BLUE-TEE", Some(184)),
            ("SKU-STEEL-BOTTLE", None),
            ("SKU-LINEN-APRON", Some(14)),
        ]
        .into_iter()
        .map(|(sku, available)| {
            let stock = match available {
                Some(units) => Stock::in_stock(units),
                None => Stock::out_of_stock(now.date_naive()),
            };
            (sku, stock)
        })
        .collect();
        let mut shop = Shop {
            carts: BTreeMap::new(),
            stock,
            // The first seeded cart becomes c-1000.
            last_cart_number: 999,
            payments_authorized: 0,
            decline_cards: false,
            processor_unavailable: false,
            rate_limited: false,
        };
        let seeded_at = |hour| Utc.with_ymd_and_hms(2026, 11, 2, hour, 0, 0).unwrap();
        let paid = shop.insert_cart(Currency::Gbp, seeded_at(9));
        shop.put_items(&paid, &[("SKU-LINEN-APRON", 1)]);
        if let Some(cart) = shop.carts.get_mut(&paid) {
            cart.status = CartStatus::CheckedOut;
        }
        let open = shop.insert_cart(Currency::Eur, seeded_at(10));
        shop.put_items(&open, &[("SKU-RED-MUG", 2), ("SKU-OAK-BOARD", 1)]);
        shop
    }

    pub(crate) fn create_cart(&mut self, currency: Currency, now: DateTime<Utc>) -> &Cart {
        let id = self.insert_cart(currency, now);
        &self.carts[&id]
    }

    pub(crate) fn cart(&self, cart_id: &str) -> Result<&Cart, ApiError> {
        self.carts
            .get(cart_id)
            .ok_or_else(|| ApiError::CartNotFound {
                cart_id: cart_id.to_owned(),
            })
    }

    pub(crate) fn add_item(
        &mut self,
        cart_id: &str,
        sku: &str,
        quantity: i64,
    ) -> Result<&Cart, ApiError> {
        let cart = self.open_cart(cart_id)?;
        let product = catalogue::product(sku).ok_or_else(|| ApiError::SkuNotFound {
            sku: sku.to_owned(),
        })?;
        let quantity = u32::try_from(quantity)
            .ok()
            .filter(|q| (1..=MAX_QUANTITY).contains(&i64::from(*q)))
            .ok_or(ApiError::InvalidQuantity { quantity })?;
        let requested = cart.quantity_of(sku) + quantity;
        let available = self.stock.get(sku).map_or(0, Stock::available);
        if requested > available {
            return Err(ApiError::InsufficientStock {
                sku: sku.to_owned(),
                requested,
                available,
            });
        }
        let cart = self.open_cart_mut(cart_id)?;
        cart.add(product, quantity);
        Ok(cart)
    }

    pub(crate) fn remove_item(&mut self, cart_id: &str, sku: &str) -> Result<(), ApiError> {
        let cart = self.open_cart_mut(cart_id)?;
        let before = cart.items.len();
        cart.items.retain(|item| item.sku != sku);
        if cart.items.len() == before {
            return Err(ApiError::ItemNotFound {
                cart_id: cart_id.to_owned(),
                sku: sku.to_owned(),
            });
        }
        Ok(())
    }

    pub(crate) fn stock(&self, sku: &str) -> Result<(&'static str, &Stock), ApiError> {
        self.stock
            .get_key_value(sku)
            .map(|(sku, stock)| (*sku, stock))
            .ok_or_else(|| ApiError::SkuNotFound {
                sku: sku.to_owned(),
            })
    }

    pub(crate) fn authorize_payment(
        &mut self,
        request: &PaymentRequest<'_>,
        now: DateTime<Utc>,
    ) -> Result<Payment, ApiError> {
        let cart = self.open_cart(request.cart_id)?;
        if cart.items.is_empty() {
            return Err(ApiError::CartEmpty {
                cart_id: cart.id.clone(),
            });
        }
        let currency =
            Currency::parse(request.currency).ok_or_else(|| ApiError::UnsupportedCurrency {
                currency: request.currency.to_owned(),
            })?;
        let total = cart.total();
        if currency != cart.currency || Amount::parse(request.amount) != Some(total) {
            return Err(ApiError::AmountMismatch {
                expected: format!("{total} {}", cart.currency),
                got: format!("{} {}", request.amount, request.currency),
            });
        }
        if !PAYMENT_METHODS.contains(&request.method) {
            return Err(ApiError::UnsupportedPaymentMethod {
                method: request.method.to_owned(),
            });
        }
        // Only a processor that answers can pass on the bank's decline.
        if self.processor_unavailable {
            return Err(ApiError::ProcessorUnavailable);
        }
        if self.decline_cards {
            return Err(ApiError::CardDeclined);
        }
        let cart = self.open_cart_mut(request.cart_id)?;
        cart.status = CartStatus::CheckedOut;
        let cart_id = cart.id.clone();
        self.payments_authorized += 1;
        Ok(Payment {
            id: payment_id(self.payments_authorized),
            cart_id,
            amount: total,
            currency,
            authorized_at: now,
        })
    }

    /// Replaces (or creates) cart `cart_id` with an open cart holding `items`.
    pub(crate) fn put_cart(&mut self, cart_id: &str, items: &[(&str, u32)], now: DateTime<Utc>) {
        self.carts.insert(
            cart_id.to_owned(),
            Cart {
                id: cart_id.to_owned(),
                status: CartStatus::Open,
                currency: Currency::Eur,
                items: Vec::new(),
                created_at: now,
            },
        );
        self.put_items(cart_id, items);
        // Carts created later must not collide with one a provider state named.
        if let Some(number) = cart_number(cart_id) {
            self.last_cart_number = self.last_cart_number.max(number);
        }
    }

    pub(crate) fn remove_cart(&mut self, cart_id: &str) {
        self.carts.remove(cart_id);
    }

    pub(crate) fn set_in_stock(&mut self, product: &'static Product, available: u32) {
        self.stock.insert(product.sku, Stock::in_stock(available));
    }

    pub(crate) fn set_out_of_stock(&mut self, product: &'static Product, today: NaiveDate) {
        self.stock.insert(product.sku, Stock::out_of_stock(today));
    }

    pub(crate) fn decline_cards(&mut self) {
        self.decline_cards = true;
    }

    pub(crate) fn set_processor_unavailable(&mut self) {
        self.processor_unavailable = true;
    }

    pub(crate) fn set_rate_limited(&mut self) {
        self.rate_limited = true;
    }

    pub(crate) fn rate_limited(&self) -> bool {
        self.rate_limited
    }

    fn insert_cart(&mut self, currency: Currency, now: DateTime<Utc>) -> String {
        self.last_cart_number += 1;
        let id = format!("c-{}", self.last_cart_number);
        let cart = Cart {
            id: id.clone(),
            status: CartStatus::Open,
            currency,
            items: Vec::new(),
            created_at: now,
        };
        self.carts.insert(id.clone(), cart);
        id
    }

    /// Adds items without the stock check: for seed data and provider states, which set the
    /// world up rather than act in it.
    fn put_items(&mut self, cart_id: &str, items: &[(&str, u32)]) {
        let Some(cart) = self.carts.get_mut(cart_id) else {
            return;
        };
        for (sku, quantity) in items {
            if let Some(product) = catalogue::product(sku) {
                cart.add(product, *quantity);
            }
        }
    }

    fn open_cart(&self, cart_id: &str) -> Result<&Cart, ApiError> {
        let cart = self.cart(cart_id)?;
        match cart.status {
            CartStatus::Open => Ok(cart),
            CartStatus::CheckedOut => Err(ApiError::CartCheckedOut {
                cart_id: cart_id.to_owned(),
            }),
        }
    }

    fn open_cart_mut(&mut self, cart_id: &str) -> Result<&mut Cart, ApiError> {
        self.open_cart(cart_id)?;
        self.carts
            .get_mut(cart_id)
            .ok_or_else(|| ApiError::CartNotFound {
                cart_id: cart_id.to_owned(),
            })
    }
}

/// The shop as handlers share it. One lock for everything: the data is tiny and no request holds
/// the lock across an `.await`.
#[derive(Debug, Clone)]
pub(crate) struct SharedShop(Arc<Mutex<Shop>>);

impl SharedShop {
    pub(crate) fn new(shop: Shop) -> Self {
        Self(Arc::new(Mutex::new(shop)))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Shop> {
        // Shop operations check everything before they change anything, so a panic cannot leave
        // a half-made change behind and the data stays usable.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The number in a cart id like `c-1001`.
fn cart_number(cart_id: &str) -> Option<u64> {
    cart_id.strip_prefix("c-")?.parse().ok()
}

/// Payment ids look opaque (`pay_` and 16 hex digits) as a real gateway's do, so that consumers
/// don't learn to parse them; they are still deterministic for a given sequence number.
fn payment_id(sequence: u64) -> String {
    format!("pay_{:016x}", sequence.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 8, 30, 0).unwrap()
    }

    #[test]
    fn the_seed_has_an_open_cart_with_items_and_new_carts_continue_its_numbering() {
        let mut shop = Shop::seeded(now());
        let seeded = shop.cart("c-1001").unwrap();
        assert_eq!(seeded.status, CartStatus::Open);
        assert_eq!(seeded.total().to_string(), "64.90");
        assert_eq!(shop.create_cart(Currency::Eur, now()).id, "c-1002");
    }

    #[test]
    fn adding_more_than_is_in_stock_is_refused() {
        let mut shop = Shop::seeded(now());
        shop.put_cart("c-2000", &[], now());
        let err = shop.add_item("c-2000", "SKU-OAK-BOARD", 9).unwrap_err();
        assert_eq!(err.code(), "insufficient_stock");
        assert_eq!(shop.create_cart(Currency::Eur, now()).id, "c-2001");
    }

    #[test]
    fn a_payment_must_match_the_cart_total_and_checks_the_cart_out() {
        let mut shop = Shop::seeded(now());
        let mut request = PaymentRequest {
            cart_id: "c-1001",
            amount: "64.00",
            currency: "EUR",
            method: "card",
        };
        let err = shop.authorize_payment(&request, now()).unwrap_err();
        assert_eq!(err.code(), "amount_mismatch");
        request.amount = "64.90";
        let payment = shop.authorize_payment(&request, now()).unwrap();
        assert!(payment.id.starts_with("pay_"));
        let err = shop.authorize_payment(&request, now()).unwrap_err();
        assert_eq!(err.code(), "cart_checked_out");
    }
}
