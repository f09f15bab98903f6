//! Applies the active faults: one layer around every route, outside auth and the rate limit, so
//! handlers stay correct and each fault is one visible branch here. Faults act at four points:
//! instead of (or before) the handler, on the request's credentials, on the status and headers, and
//! on the JSON body.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::DateTime;
use serde_json::{Map, Value, json};

use crate::auth::{self, Scope};
use crate::deprecation::{DEPRECATION, SUNSET};
use crate::fault::{Fault, FaultSet};
use crate::operation::Operation;
use crate::problem::ApiError;
use crate::shutdown::ShutdownSignal;

/// How long `hang` holds a request: far beyond any sensible client timeout.
const HANG: Duration = Duration::from_secs(60 * 60);

/// Size of the `huge-body` response, chosen to exceed any sensible response size limit.
const HUGE_BODY_BYTES: usize = 50 * 1024 * 1024;

/// How long `slow-endpoint` delays a price: above the storefront's 250 ms timeout, below any
/// verification request timeout, so it shows up as latency rather than as a hang.
const SLOW_ENDPOINT: Duration = Duration::from_millis(400);

/// The code `wrong-error-code` gives a declined card: plausible, but not the one consumers branch on.
const WRONG_DECLINE_CODE: &str = "payment_failed";

/// The sunset `sunset-passed` announces. Its deprecation moves back a year with it, so the
/// signals stay in order and only the passed sunset is wrong.
const PASSED_SUNSET: &str = "Wed, 01 Jan 2025 00:00:00 GMT";
const PASSED_DEPRECATION: &str = "@1704067200";

/// What the fault layer needs besides the request.
#[derive(Debug, Clone)]
pub(crate) struct FaultContext {
    pub(crate) faults: FaultSet,
    pub(crate) shutdown: ShutdownSignal,
}

pub(crate) async fn inject(
    State(context): State<FaultContext>,
    mut request: Request,
    next: Next,
) -> Response {
    let operation = Operation::of(&request);
    let faults = &context.faults;
    match operation {
        Some(Operation::ChangeProviderState) if faults.contains(Fault::StateSetupFails) => {
            return state_setup_failure();
        }
        Some(Operation::GetCart) if faults.contains(Fault::Hang) => {
            let shutdown = context.shutdown.clone();
            tokio::select! {
                () = tokio::time::sleep(HANG) => {}
                () = shutdown.requested() => return ApiError::ShuttingDown.into_response(),
            }
        }
        Some(Operation::GetCart) if faults.contains(Fault::HugeBody) => return huge_cart(),
        Some(Operation::GetInventory) if faults.contains(Fault::NotJson) => {
            return html_error_page();
        }
        Some(Operation::GetPrice) if faults.contains(Fault::SlowEndpoint) => {
            tokio::time::sleep(SLOW_ENDPOINT).await;
        }
        _ => {}
    }
    if let Some(scope) = operation.and_then(Operation::required_scope) {
        lend_credentials(faults, scope, request.headers_mut());
    }
    let response = next.run(request).await;
    distort(operation, faults, response).await
}

/// `auth-not-required` and `scope-ignored` act as a misconfigured gateway in front of the API
/// would: a request the API would refuse goes on with a credential of the gateway's that holds the
/// scope. The API's own checks stay correct; the refusal just never happens.
fn lend_credentials(faults: &FaultSet, scope: Scope, headers: &mut HeaderMap) {
    let lend = match auth::check(headers, scope) {
        Err(ApiError::MissingCredentials) => faults.contains(Fault::AuthNotRequired),
        Err(ApiError::InsufficientScope { .. }) => faults.contains(Fault::ScopeIgnored),
        _ => false,
    };
    if lend
        && let Some(token) = auth::token_holding(scope)
        && let Ok(credential) = HeaderValue::try_from(format!("Bearer {token}"))
    {
        headers.insert(AUTHORIZATION, credential);
    }
}

/// Applies the faults that change a real response.
async fn distort(operation: Option<Operation>, faults: &FaultSet, response: Response) -> Response {
    let (mut parts, mut body) = response.into_parts();
    // 402 is only ever a declined card; a gateway remapping statuses leaves bodies alone.
    if faults.contains(Fault::ErrorStatusRemapped) && parts.status == StatusCode::PAYMENT_REQUIRED {
        parts.status = StatusCode::BAD_REQUEST;
    }
    if faults.contains(Fault::WwwAuthenticateMissing) && parts.status == StatusCode::UNAUTHORIZED {
        parts.headers.remove(WWW_AUTHENTICATE);
    }
    distort_retry_after(faults, &mut parts.headers);
    distort_deprecation(faults, &mut parts.headers);
    if operation == Some(Operation::CreateCart) {
        if faults.contains(Fault::WrongStatus) && parts.status == StatusCode::CREATED {
            parts.status = StatusCode::OK;
        }
        if faults.contains(Fault::RenamedHeader)
            && let Some(location) = parts.headers.remove(LOCATION)
        {
            parts
                .headers
                .insert(HeaderName::from_static("x-location"), location);
        }
    }
    // Without faults the handler's body goes out untouched, field order and all.
    if !faults.is_empty() && is_json(&parts.headers) {
        let status = parts.status;
        body = edit_json(body, |value| distort_json(operation, status, faults, value)).await;
    }
    // Only prices: error answers keep problem+json, which `not-problem-json` is about.
    if operation == Some(Operation::GetPrice)
        && parts.status.is_success()
        && faults.contains(Fault::WrongContentType)
    {
        parts.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    if faults.contains(Fault::NotProblemJson) && is_problem_json(&parts.headers) {
        parts
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    Response::from_parts(parts, body)
}

fn distort_retry_after(faults: &FaultSet, headers: &mut HeaderMap) {
    if faults.contains(Fault::MissingRetryAfter) {
        headers.remove(RETRY_AFTER);
    }
    if faults.contains(Fault::BadRetryAfter) && headers.contains_key(RETRY_AFTER) {
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
    }
}

/// The faults that break a deprecated operation's signals; other responses carry none to break.
fn distort_deprecation(faults: &FaultSet, headers: &mut HeaderMap) {
    if !headers.contains_key(SUNSET) {
        return;
    }
    if faults.contains(Fault::SunsetPassed) {
        headers.insert(DEPRECATION, HeaderValue::from_static(PASSED_DEPRECATION));
        headers.insert(SUNSET, HeaderValue::from_static(PASSED_SUNSET));
    }
    if faults.contains(Fault::SunsetMalformed) {
        headers.insert(SUNSET, HeaderValue::from_static("next tuesday"));
    }
    if faults.contains(Fault::SunsetMissing) {
        headers.remove(DEPRECATION);
        headers.remove(SUNSET);
    }
}

fn distort_json(
    operation: Option<Operation>,
    status: StatusCode,
    faults: &FaultSet,
    value: &mut Value,
) {
    if status.is_success() && operation.is_some_and(Operation::returns_cart) {
        distort_cart(faults, value);
    }
    if status.is_success()
        && operation == Some(Operation::GetInventory)
        && faults.contains(Fault::NegativeStock)
        && let Some(available) = value.get_mut("available")
    {
        *available = json!(-3);
    }
    if faults.contains(Fault::WrongErrorCode)
        && let Some(code) = value.get_mut("code")
        && code == ApiError::CardDeclined.code()
    {
        *code = json!(WRONG_DECLINE_CODE);
    }
    if faults.contains(Fault::ExtraFields) {
        add_extra_fields(value);
    }
}

/// The faults that change a cart representation, in [`Fault::ALL`] order.
fn distort_cart(faults: &FaultSet, cart: &mut Value) {
    let Some(cart) = cart.as_object_mut() else {
        return;
    };
    for fault in faults.iter() {
        match fault {
            Fault::MissingField => {
                cart.remove("total");
            }
            Fault::WrongType => {
                for item in items(cart) {
                    if let Some(quantity) = item.get_mut("quantity") {
                        *quantity = Value::String(quantity.to_string());
                    }
                }
            }
            Fault::BadIdFormat => {
                if let Some(Value::String(id)) = cart.get_mut("id") {
                    *id = id.replacen("c-", "CART-", 1);
                }
            }
            Fault::BadDate => {
                if let Some(Value::String(created_at)) = cart.get_mut("createdAt")
                    && let Ok(parsed) = DateTime::parse_from_rfc3339(created_at)
                {
                    *created_at = parsed.format("%d/%m/%Y %H:%M").to_string();
                }
            }
            Fault::UnknownStatus => {
                if let Some(Value::String(status)) = cart.get_mut("status") {
                    *status = status.to_uppercase();
                }
            }
            Fault::EmptyItems => {
                if let Some(Value::Array(items)) = cart.get_mut("items") {
                    items.clear();
                }
            }
            Fault::RenamedField => {
                if let Some(total) = cart.remove("total") {
                    cart.insert("totalAmount".to_owned(), total);
                }
            }
            // These act elsewhere: instead of the handler, on headers, or on other resources.
            Fault::WrongStatus
            | Fault::RenamedHeader
            | Fault::WrongContentType
            | Fault::NegativeStock
            | Fault::NotJson
            | Fault::ExtraFields
            | Fault::Hang
            | Fault::HugeBody
            | Fault::StateSetupFails
            | Fault::WrongErrorCode
            | Fault::ErrorStatusRemapped
            | Fault::MissingRetryAfter
            | Fault::BadRetryAfter
            | Fault::NotProblemJson
            | Fault::SlowEndpoint
            | Fault::AuthNotRequired
            | Fault::ScopeIgnored
            | Fault::WwwAuthenticateMissing
            | Fault::SunsetMissing
            | Fault::SunsetPassed
            | Fault::SunsetMalformed => {}
        }
    }
}

fn items(cart: &mut Map<String, Value>) -> impl Iterator<Item = &mut Map<String, Value>> {
    cart.get_mut("items")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

/// Adds fields a newer provider version might send. They go on the response object and on the
/// objects in its arrays (records such as cart items), never into maps such as price `tiers`,
/// whose keys are data: an unexpected key there is a real change, not an extra field.
fn add_extra_fields(value: &mut Value) {
    let Some(object) = value.as_object_mut() else {
        return;
    };
    for field in object.values_mut() {
        for record in field.as_array_mut().into_iter().flatten() {
            if let Some(record) = record.as_object_mut() {
                record.insert("tags".to_owned(), json!(["new"]));
            }
        }
    }
    object.insert("apiVersion".to_owned(), json!("2026-11-01"));
    object.insert(
        "_meta".to_owned(),
        json!({"region": "eu-west-1", "servedBy": "shop-api-7d9f"}),
    );
}

fn is_json(headers: &HeaderMap) -> bool {
    media_type(headers)
        .is_some_and(|essence| essence == "application/json" || essence.ends_with("+json"))
}

fn is_problem_json(headers: &HeaderMap) -> bool {
    media_type(headers) == Some("application/problem+json")
}

/// The content type without parameters.
fn media_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim)
}

/// Reads a (small, handler-made) JSON body, edits it and writes it back. A body that is not
/// JSON after all is passed on unchanged.
async fn edit_json(body: Body, edit: impl FnOnce(&mut Value)) -> Body {
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => return Body::empty(),
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Body::from(bytes);
    };
    edit(&mut value);
    match serde_json::to_vec(&value) {
        Ok(edited) => Body::from(edited),
        Err(_) => Body::from(bytes),
    }
}

fn state_setup_failure() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(json!({"error": "provider state setup failed: seed database unavailable"})),
    )
        .into_response()
}

/// A well-formed JSON cart whose item list runs on for [`HUGE_BODY_BYTES`], produced chunk by
/// chunk as the client reads so the server never holds it whole.
fn huge_cart() -> Response {
    const HEAD: &str = r#"{"id":"c-1001","status":"open","currency":"EUR","items":["#;
    const ITEM: &str =
        r#"{"sku":"SKU-RED-MUG","name":"Red enamel mug","quantity":1,"unitPrice":"12.50"}"#;
    const TAIL: &str = r#"],"total":"12.50","createdAt":"2026-11-21T10:00:00Z"}"#;
    const ITEMS_PER_CHUNK: usize = 800;

    let chunk = Bytes::from(format!(",{ITEM}").repeat(ITEMS_PER_CHUNK));
    let fixed = HEAD.len() + ITEM.len() + TAIL.len();
    let chunks = (HUGE_BODY_BYTES - fixed).div_ceil(chunk.len());
    let body = std::iter::once(Bytes::from_static(HEAD.as_bytes()))
        .chain(std::iter::once(Bytes::from_static(ITEM.as_bytes())))
        .chain(std::iter::repeat_n(chunk, chunks))
        .chain(std::iter::once(Bytes::from_static(TAIL.as_bytes())))
        .map(Ok::<_, Infallible>);
    (
        [(CONTENT_TYPE, "application/json")],
        Body::from_stream(futures_util::stream::iter(body)),
    )
        .into_response()
}

/// What a misconfigured proxy in front of the inventory service serves: HTML, with status 200.
fn html_error_page() -> Response {
    const PAGE: &str = "<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n\
        <body>\n<h1>Bad Gateway</h1>\n<p>The inventory service did not answer in time.</p>\n\
        <hr><address>nginx</address>\n</body>\n</html>\n";
    ([(CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::http::{Method, StatusCode};
    use serde_json::{Value, json};

    use crate::fault::Fault;
    use crate::test_client::{Reply, TestClient};

    async fn get_cart(fault: Fault) -> Value {
        TestClient::new(fault).get("/carts/c-1001").await.json()
    }

    async fn create_cart(fault: Fault) -> Reply {
        TestClient::new(fault).post("/carts", json!({})).await
    }

    /// JSON pointers a fault changes, each with its new value (`None`: removed).
    type FieldChanges<'a> = &'a [(&'a str, Option<Value>)];

    #[tokio::test]
    async fn cart_body_faults_change_only_their_fields() {
        let clean = TestClient::clean().get("/carts/c-1001").await.json();
        let cases: [(Fault, FieldChanges<'_>); 6] = [
            (Fault::MissingField, &[("/total", None)]),
            (
                Fault::WrongType,
                &[
                    ("/items/0/quantity", Some(json!("2"))),
                    ("/items/1/quantity", Some(json!("1"))),
                ],
            ),
            (Fault::BadIdFormat, &[("/id", Some(json!("CART-1001")))]),
            (
                Fault::BadDate,
                &[("/createdAt", Some(json!("02/11/2026 10:00")))],
            ),
            (Fault::UnknownStatus, &[("/status", Some(json!("OPEN")))]),
            (Fault::EmptyItems, &[("/items", Some(json!([])))]),
        ];
        for (fault, changes) in cases {
            let mut cart = get_cart(fault).await;
            for (pointer, expected) in changes {
                assert_eq!(
                    cart.pointer(pointer),
                    expected.as_ref(),
                    "{fault} at {pointer}"
                );
                // Put the clean value back, so that any other difference shows below.
                let clean_value = clean.pointer(pointer).cloned().unwrap_or(Value::Null);
                match cart.pointer_mut(pointer) {
                    Some(value) => *value = clean_value,
                    None => {
                        cart[&pointer[1..]] = clean_value;
                    }
                }
            }
            assert_eq!(cart, clean, "{fault} changed more than it should");
        }
    }

    #[tokio::test]
    async fn renamed_field_moves_total_to_total_amount() {
        let cart = get_cart(Fault::RenamedField).await;
        assert_eq!(cart.get("total"), None);
        assert_eq!(cart["totalAmount"], "64.90");
    }

    #[tokio::test]
    async fn create_cart_faults_change_the_status_or_the_location_header() {
        let reply = create_cart(Fault::WrongStatus).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.header("location").is_some());

        let reply = create_cart(Fault::RenamedHeader).await;
        assert_eq!(reply.status, StatusCode::CREATED);
        assert_eq!(reply.header("location"), None);
        assert_eq!(reply.header("x-location"), Some("/carts/c-1002"));
    }

    #[tokio::test]
    async fn wrong_content_type_keeps_the_json_body() {
        let reply = TestClient::new(Fault::WrongContentType)
            .get("/prices/SKU-RED-MUG?currency=EUR")
            .await;
        assert_eq!(
            reply.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(reply.json()["amount"], "12.50");
    }

    #[tokio::test]
    async fn inventory_faults_send_negative_stock_or_html() {
        let negative = TestClient::new(Fault::NegativeStock)
            .get("/inventory/SKU-RED-MUG")
            .await;
        assert_eq!(negative.json()["available"], -3);

        let html = TestClient::new(Fault::NotJson)
            .get("/inventory/SKU-RED-MUG")
            .await;
        assert_eq!(html.status, StatusCode::OK);
        assert_eq!(
            html.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(serde_json::from_str::<Value>(&html.text).is_err());
    }

    /// Every field of `clean` is in `faulty` with the same value, recursively.
    fn assert_contains(faulty: &Value, clean: &Value, at: &str) {
        match (faulty, clean) {
            (Value::Object(faulty), Value::Object(clean)) => {
                for (key, value) in clean {
                    let inner = faulty
                        .get(key)
                        .unwrap_or_else(|| panic!("{at}/{key} is gone"));
                    assert_contains(inner, value, &format!("{at}/{key}"));
                }
            }
            (Value::Array(faulty), Value::Array(clean)) => {
                assert_eq!(faulty.len(), clean.len(), "{at}");
                for (i, (f, c)) in faulty.iter().zip(clean).enumerate() {
                    assert_contains(f, c, &format!("{at}/{i}"));
                }
            }
            _ => assert_eq!(faulty, clean, "{at}"),
        }
    }

    #[tokio::test]
    async fn extra_fields_only_add_and_never_touch_map_keys() {
        let clean = TestClient::clean();
        let faulty = TestClient::new(Fault::ExtraFields);
        for uri in ["/carts/c-1001", "/inventory/SKU-RED-MUG", "/carts/c-404"] {
            let (faulty, clean) = (faulty.get(uri).await.json(), clean.get(uri).await.json());
            assert_ne!(faulty, clean, "{uri} gained nothing");
            assert_contains(&faulty, &clean, uri);
        }
        let price = faulty.get("/prices/SKU-RED-MUG").await.json();
        assert_eq!(
            price["tiers"],
            json!({"1": "12.50", "10": "11.25", "50": "10.00"})
        );
    }

    #[tokio::test]
    async fn state_setup_fails_answers_500_and_sets_nothing_up() {
        let client = TestClient::new(Fault::StateSetupFails);
        let body = json!({"state": "no cart exists", "params": {"cartId": "c-1001"}});
        let reply = client.post("/_vow/provider-states", body).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(client.get("/carts/c-1001").await.status, StatusCode::OK);
    }

    #[tokio::test]
    async fn huge_body_streams_at_least_50_megabytes_of_valid_json() {
        let reply = TestClient::new(Fault::HugeBody).get("/carts/c-1001").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(
            reply.text.len() >= 50 * 1024 * 1024,
            "{} bytes",
            reply.text.len()
        );
        let cart: Value = serde_json::from_str(&reply.text).expect("valid JSON");
        assert_eq!(cart["id"], "c-1001");
    }

    /// A payment for the cart `a cart with items exists` sets up, answered under `states`.
    async fn pay_for_two_mugs(fault: Fault, states: &[&str]) -> Reply {
        let client = TestClient::new(fault);
        let cart = json!({"cartId": "c-3001", "sku": "SKU-RED-MUG", "quantity": 2});
        client.given("a cart with items exists", cart).await;
        for state in states {
            client.given(state, json!({})).await;
        }
        let payment =
            json!({"cartId": "c-3001", "amount": "25.00", "currency": "EUR", "method": "card"});
        client.post("/payments", payment).await
    }

    async fn rate_limited_cart(fault: Fault) -> Reply {
        let client = TestClient::new(fault);
        client.given("the client is rate limited", json!({})).await;
        client.get("/carts/c-1001").await
    }

    #[tokio::test]
    async fn decline_faults_change_the_code_or_the_status_but_not_both() {
        let declined = ["the card will be declined"];
        let reply = pay_for_two_mugs(Fault::WrongErrorCode, &declined).await;
        assert_eq!(reply.status, StatusCode::PAYMENT_REQUIRED);
        assert_eq!(reply.json()["code"], "payment_failed");

        let reply = pay_for_two_mugs(Fault::ErrorStatusRemapped, &declined).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let problem = reply.json();
        assert_eq!(problem["code"], "card_declined");
        assert_eq!(
            problem["status"], 402,
            "a remapping gateway leaves bodies alone"
        );

        // Other errors keep their codes and statuses.
        let unknown = TestClient::new(Fault::WrongErrorCode)
            .get("/carts/c-9999")
            .await;
        assert_eq!(
            (unknown.status, unknown.json()["code"].clone()),
            (StatusCode::NOT_FOUND, json!("cart_not_found"))
        );
    }

    #[tokio::test]
    async fn retry_after_faults_drop_or_garble_the_header_of_429_and_503() {
        let unavailable = ["the payment processor is unavailable"];
        for (fault, expected) in [
            (Fault::MissingRetryAfter, None),
            (Fault::BadRetryAfter, Some("soon")),
        ] {
            let limited = rate_limited_cart(fault).await;
            assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(limited.header("retry-after"), expected, "{fault}");
            let down = pay_for_two_mugs(fault, &unavailable).await;
            assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(down.header("retry-after"), expected, "{fault}");
            assert_eq!(down.json()["code"], "processor_unavailable");
        }
    }

    #[tokio::test]
    async fn not_problem_json_relabels_error_bodies_and_nothing_else() {
        let client = TestClient::new(Fault::NotProblemJson);
        let unknown = client.get("/carts/c-9999").await;
        assert_eq!(unknown.header("content-type"), Some("application/json"));
        assert_eq!(unknown.json()["code"], "cart_not_found");
        let cart = client.get("/carts/c-1001").await;
        assert_eq!(cart.header("content-type"), Some("application/json"));
        assert_eq!(cart.json()["total"], "64.90");
    }

    #[tokio::test(start_paused = true)]
    async fn slow_endpoint_delays_prices_by_400_ms_and_nothing_else() {
        let client = TestClient::new(Fault::SlowEndpoint);
        let start = tokio::time::Instant::now();
        assert_eq!(client.get("/carts/c-1001").await.status, StatusCode::OK);
        assert_eq!(start.elapsed(), Duration::ZERO);
        let price = client.get("/prices/SKU-RED-MUG?currency=EUR").await;
        assert_eq!(price.status, StatusCode::OK);
        assert_eq!(start.elapsed(), Duration::from_millis(400));
    }

    /// Sends `GET /carts/c-1001` and `POST /carts` with the given `Authorization` value.
    async fn read_and_write(client: &TestClient, authorization: Option<&str>) -> [StatusCode; 2] {
        let credential = || authorization.map(str::to_owned);
        let read = client
            .send_as(Method::GET, "/carts/c-1001", None, credential())
            .await;
        let write = client
            .send_as(Method::POST, "/carts", Some(json!({})), credential())
            .await;
        [read.status, write.status]
    }

    #[tokio::test]
    async fn auth_not_required_lets_only_requests_without_a_token_through() {
        let client = TestClient::new(Fault::AuthNotRequired);
        let limited = Some("Bearer checkout-web-limited-token");
        assert_eq!(
            read_and_write(&client, None).await,
            [StatusCode::OK, StatusCode::CREATED]
        );
        assert_eq!(
            read_and_write(&client, limited).await,
            [StatusCode::OK, StatusCode::FORBIDDEN]
        );
        assert_eq!(
            read_and_write(&client, Some("Bearer forged")).await,
            [StatusCode::UNAUTHORIZED; 2]
        );
    }

    #[tokio::test]
    async fn scope_ignored_lets_a_limited_token_through_but_still_wants_one() {
        let client = TestClient::new(Fault::ScopeIgnored);
        let limited = Some("Bearer checkout-web-limited-token");
        assert_eq!(
            read_and_write(&client, limited).await,
            [StatusCode::OK, StatusCode::CREATED]
        );
        assert_eq!(
            read_and_write(&client, None).await,
            [StatusCode::UNAUTHORIZED; 2]
        );
    }

    #[tokio::test]
    async fn www_authenticate_missing_strips_the_challenge_of_401_only() {
        let client = TestClient::new(Fault::WwwAuthenticateMissing);
        let anonymous = client
            .send_as(Method::GET, "/carts/c-1001", None, None)
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        assert_eq!(anonymous.header("www-authenticate"), None);
        let limited = client
            .send_as(
                Method::POST,
                "/carts",
                Some(json!({})),
                Some("Bearer checkout-web-limited-token".to_owned()),
            )
            .await;
        assert_eq!(limited.status, StatusCode::FORBIDDEN);
        assert!(
            limited
                .header("www-authenticate")
                .is_some_and(|challenge| challenge.contains("insufficient_scope"))
        );
    }

    #[tokio::test]
    async fn deprecation_faults_break_the_cart_summary_signals() {
        let clean = TestClient::clean().get("/carts/c-1001/summary").await;
        // (fault, Deprecation, Sunset); `Link` never changes.
        let cases = [
            (Fault::SunsetMissing, None, None),
            (
                Fault::SunsetPassed,
                Some("@1704067200"),
                Some("Wed, 01 Jan 2025 00:00:00 GMT"),
            ),
            (
                Fault::SunsetMalformed,
                clean.header("deprecation"),
                Some("next tuesday"),
            ),
        ];
        for (fault, deprecation, sunset) in cases {
            let summary = TestClient::new(fault).get("/carts/c-1001/summary").await;
            assert_eq!(summary.status, StatusCode::OK);
            assert_eq!(summary.header("deprecation"), deprecation, "{fault}");
            assert_eq!(summary.header("sunset"), sunset, "{fault}");
            assert_eq!(summary.header("link"), clean.header("link"), "{fault}");
            assert_eq!(summary.json(), clean.json(), "{fault}");
        }
    }

    #[tokio::test]
    async fn behavioural_faults_leave_a_plain_successful_answer_alone() {
        let clean = TestClient::clean().get("/carts/c-1001").await;
        // The behavioural faults close `Fault::ALL`, from `wrong-error-code` on.
        let behavioural = Fault::ALL
            .iter()
            .skip_while(|fault| **fault != Fault::WrongErrorCode);
        for &fault in behavioural {
            let reply = TestClient::new(fault).get("/carts/c-1001").await;
            assert_eq!(reply.status, clean.status, "{fault}");
            assert_eq!(reply.headers, clean.headers, "{fault}");
            assert_eq!(reply.json(), clean.json(), "{fault}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn hang_holds_get_cart_for_an_hour_but_not_other_operations() {
        let client = TestClient::new(Fault::Hang);
        let start = tokio::time::Instant::now();
        assert_eq!(
            client.get("/inventory/SKU-RED-MUG").await.status,
            StatusCode::OK
        );
        assert!(start.elapsed() < Duration::from_secs(1));
        // With the clock paused, tokio jumps over the sleep once nothing else can run.
        assert_eq!(client.get("/carts/c-1001").await.status, StatusCode::OK);
        assert!(start.elapsed() >= Duration::from_secs(3600));
    }
}
