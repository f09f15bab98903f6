//! Deprecation signals for operations on their way out: the RFC 9745 `Deprecation` header, the
//! RFC 8594 `Sunset` header and a `Link` to the migration notes, on every answer of the operation.

use axum::http::header::LINK;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::Response;
use chrono::DateTime;

pub(crate) const DEPRECATION: HeaderName = HeaderName::from_static("deprecation");
pub(crate) const SUNSET: HeaderName = HeaderName::from_static("sunset");

/// When an operation was deprecated, when it goes away and where consumers read how to move off.
#[derive(Debug)]
pub(crate) struct Retirement {
    /// Seconds since the Unix epoch, as RFC 9745 writes them (`@1767225600`).
    deprecated_at: i64,
    /// Seconds since the Unix epoch; sent as an HTTP-date.
    sunset_at: i64,
    notes: &'static str,
}

/// `GET /carts/{cartId}/summary`, the compact cart view older mobile app versions read for the cart
/// badge: deprecated on 2026-01-01T00:00:00Z, removed after 2027-06-30T23:59:59Z.
pub(crate) const CART_SUMMARY: Retirement = Retirement {
    deprecated_at: 1_767_225_600,
    sunset_at: 1_814_399_999,
    notes: "https://docs.shop-api.example/deprecations/cart-summary",
};

impl Retirement {
    fn announce(&self, headers: &mut HeaderMap) {
        let signals = [
            (DEPRECATION, format!("@{}", self.deprecated_at)),
            (SUNSET, http_date(self.sunset_at)),
            (LINK, format!("<{}>; rel=\"sunset\"", self.notes)),
        ];
        for (name, value) in signals {
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.insert(name, value);
            }
        }
    }
}

/// The layer of the cart summary route.
pub(crate) async fn cart_summary(mut response: Response) -> Response {
    CART_SUMMARY.announce(response.headers_mut());
    response
}

/// An IMF-fixdate (RFC 9110 §5.6.7), the only HTTP-date form a sender may generate.
fn http_date(epoch_seconds: i64) -> String {
    DateTime::from_timestamp(epoch_seconds, 0)
        .map(|at| at.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;
    use crate::test_client::TestClient;

    #[test]
    fn the_cart_summary_dates_are_the_announced_ones() {
        let at = |secs| DateTime::from_timestamp(secs, 0).unwrap();
        assert_eq!(
            at(CART_SUMMARY.deprecated_at),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(
            at(CART_SUMMARY.sunset_at),
            Utc.with_ymd_and_hms(2027, 6, 30, 23, 59, 59).unwrap()
        );
    }

    #[tokio::test]
    async fn the_cart_summary_is_signalled_deprecated_and_other_operations_are_not() {
        let client = TestClient::clean();
        let summary = client.get("/carts/c-1001/summary").await;
        assert_eq!(summary.status, StatusCode::OK);
        assert_eq!(summary.header("deprecation"), Some("@1767225600"));
        assert_eq!(
            summary.header("sunset"),
            Some("Wed, 30 Jun 2027 23:59:59 GMT")
        );
        assert_eq!(
            summary.header("link"),
            Some(r#"<https://docs.shop-api.example/deprecations/cart-summary>; rel="sunset""#)
        );
        assert_eq!(
            summary.json(),
            json!({"id": "c-1001", "currency": "EUR", "itemCount": 3, "total": "64.90"})
        );

        let unknown = client.get("/carts/c-9999/summary").await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert_eq!(unknown.header("sunset"), summary.header("sunset"));

        let cart = client.get("/carts/c-1001").await;
        assert_eq!(cart.header("deprecation"), None);
        assert_eq!(cart.header("sunset"), None);
    }
}
