//! `GET /api/v1/openapi.json`: the committed OpenAPI document of this API, docs/broker-openapi.json,
//! compiled into the binary so that the broker serves exactly the file in the repository.

use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

/// The OpenAPI 3.1 document describing every route of the broker.
pub const OPENAPI: &str = include_str!("../../../../docs/broker-openapi.json");

pub async fn document() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        OPENAPI,
    )
}
