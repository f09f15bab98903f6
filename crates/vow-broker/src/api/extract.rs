//! Extractors whose rejections are `ApiError`s, so that a bad body, path or query gets the same
//! `{code, message}` answer as every other error, naming the bad field.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::router::Settings;

/// A JSON request body. An empty body reads as `{}`, so that bodies whose fields are all optional
/// can be left out.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
    Settings: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let settings = <Settings as axum::extract::FromRef<S>>::from_ref(state);
        let limit = settings.max_body_bytes;
        if let Some(content_type) = request.headers().get(CONTENT_TYPE) {
            let content_type = content_type.to_str().unwrap_or_default();
            let essence = content_type.split(';').next().unwrap_or_default().trim();
            if !(essence.eq_ignore_ascii_case("application/json")
                || essence.to_ascii_lowercase().ends_with("+json"))
            {
                return Err(ApiError::UnsupportedMediaType(format!(
                    "the body must be JSON (Content-Type: application/json), not {content_type:?}"
                )));
            }
        }
        // A client trickling its body cannot hold the request (and its connection) forever.
        let bytes =
            tokio::time::timeout(settings.body_timeout, Bytes::from_request(request, state))
                .await
                .map_err(|_| ApiError::RequestTimeout {
                    seconds: settings.body_timeout.as_secs(),
                })?
                .map_err(|rejection| {
                    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        ApiError::PayloadTooLarge { limit }
                    } else {
                        ApiError::InvalidJson(format!(
                            "failed to read the request body: {rejection}"
                        ))
                    }
                })?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        parse(bytes).map(JsonBody)
    }
}

/// Reads a JSON document into `T`, naming the field at fault.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let pointer = pointer(error.path());
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::InvalidJson(format!("the body is not valid JSON: {inner}"))
        } else if pointer.is_empty() {
            ApiError::InvalidBody {
                message: format!("the body is invalid: {inner}"),
                pointer,
            }
        } else {
            ApiError::InvalidBody {
                message: format!("{pointer}: {inner}"),
                pointer,
            }
        }
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::InvalidJson(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

/// The JSON pointer of a serde path (`interactions[0].id` → `/interactions/0/id`).
fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        out.push('/');
        match segment {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

/// Path parameters.
#[derive(Debug)]
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| PathParams(value))
            .map_err(|rejection| ApiError::InvalidPath(rejection.body_text()))
    }
}

/// Query parameters.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| QueryParams(value))
            .map_err(|rejection| ApiError::InvalidQuery(rejection.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        branch: Option<String>,
        items: Option<Vec<u32>>,
    }

    fn error(text: &str) -> crate::api::ErrorBody {
        parse::<Body>(text.as_bytes()).unwrap_err().body()
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let e = error(r#"{"items": [1, "two"]}"#);
        assert_eq!(e.code, "invalid_body");
        assert_eq!(e.pointer.as_deref(), Some("/items/1"));
        assert!(
            e.message
                .starts_with("/items/1: invalid type: string \"two\""),
            "{}",
            e.message
        );
    }

    #[test]
    fn an_unknown_field_is_refused() {
        let e = error(r#"{"brnch": "main"}"#);
        assert_eq!(e.code, "invalid_body");
        assert!(e.message.contains("unknown field `brnch`"), "{}", e.message);
    }

    #[test]
    fn broken_json_is_invalid_json() {
        assert_eq!(error(r#"{"branch": "#).code, "invalid_json");
        assert_eq!(error(r#"{} {}"#).code, "invalid_json");
    }
}
