//! Reads JSON request bodies so that a bad body is answered with problem details (like every
//! other error of this API) instead of axum's plain-text rejection.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// A JSON request body. The `Content-Type` is not checked, and an empty body reads as `{}` so
/// that requests whose fields are all optional may omit it.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes =
            Bytes::from_request(req, state)
                .await
                .map_err(|rejection| ApiError::InvalidBody {
                    reason: rejection.body_text(),
                })?;
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(text)
            .map(JsonBody)
            .map_err(|err| ApiError::InvalidBody {
                reason: format!("The body is not the expected JSON: {err}."),
            })
    }
}
