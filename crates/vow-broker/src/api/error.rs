//! The one error type of the API. Every error answer has the body `{"code", "message"}` (and
//! `pointer` when it concerns a field of the request body); codes are stable, documented in
//! docs/broker.md, and never carry internals, which go to the log.

use axum::Json;
use axum::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::name::InvalidName;
use crate::store::StoreError;

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable, machine-readable code such as `contract_conflict`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// JSON pointer to the offending field of the request body, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

/// An error answer of the API.
#[derive(Debug)]
pub enum ApiError {
    /// 400 `invalid_json`: the body is not JSON.
    InvalidJson(String),
    /// 400 `invalid_body`: the body is JSON but a field is missing, unknown or of the wrong type.
    InvalidBody { pointer: String, message: String },
    /// 400 `invalid_name`: a name in the path or body breaks the naming rules.
    InvalidName(InvalidName),
    /// 400 `invalid_query`: a query parameter is malformed or out of range.
    InvalidQuery(String),
    /// 400 `invalid_path`: a path segment could not be read.
    InvalidPath(String),
    /// 413 `payload_too_large`.
    PayloadTooLarge { limit: usize },
    /// 415 `unsupported_media_type`: a body that is not declared as JSON.
    UnsupportedMediaType(String),
    /// 422 `invalid_contract`: the body is not a valid vow contract.
    InvalidContract { pointer: String, message: String },
    /// 422 `invalid_spec`: the body is not a spec bundle vow can read.
    InvalidSpec { pointer: String, message: String },
    /// 422 `invalid_webhook`: a webhook field is refused (an unknown event, a template that does
    /// not parse or uses unknown variables, a target the address guard refuses).
    InvalidWebhook { pointer: String, message: String },
    /// 422 `contract_mismatch`: the contract names another consumer or provider than the path.
    ContractMismatch(String),
    /// 401 with a code saying what is wrong with the credentials (`token_missing`,
    /// `token_invalid`, `token_revoked`, `token_expired`); the answer carries `WWW-Authenticate`.
    Unauthorized { code: &'static str, message: String },
    /// 403 with a code naming what the token may not do (`role_forbidden`, `service_forbidden`).
    Forbidden { code: &'static str, message: String },
    /// 408 `request_timeout`: the client did not send the whole body in time.
    RequestTimeout { seconds: u64 },
    /// 404 with a code naming what is missing (`service_not_found`, …).
    NotFound { code: &'static str, message: String },
    /// 405 `method_not_allowed`.
    MethodNotAllowed,
    /// 409 with a code naming the conflict (`version_conflict`, `contract_conflict`).
    Conflict { code: &'static str, message: String },
    /// 503 `database_unavailable`: try again later (the answer says when, in `Retry-After`).
    Unavailable,
    /// 500 `internal`: details are in the broker's log.
    Internal,
}

impl ApiError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidJson(_)
            | ApiError::InvalidBody { .. }
            | ApiError::InvalidName(_)
            | ApiError::InvalidQuery(_)
            | ApiError::InvalidPath(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::InvalidContract { .. }
            | ApiError::InvalidSpec { .. }
            | ApiError::InvalidWebhook { .. }
            | ApiError::ContractMismatch(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `{code, message, pointer}` body.
    pub fn body(&self) -> ErrorBody {
        let (code, message, pointer) = match self {
            ApiError::InvalidJson(m) => ("invalid_json", m.clone(), None),
            ApiError::InvalidBody { pointer, message } => {
                ("invalid_body", message.clone(), Some(pointer.clone()))
            }
            ApiError::InvalidName(e) => ("invalid_name", e.to_string(), None),
            ApiError::InvalidQuery(m) => ("invalid_query", m.clone(), None),
            ApiError::InvalidPath(m) => ("invalid_path", m.clone(), None),
            ApiError::PayloadTooLarge { limit } => (
                "payload_too_large",
                format!("the request body is larger than the limit of {limit} bytes"),
                None,
            ),
            ApiError::UnsupportedMediaType(m) => ("unsupported_media_type", m.clone(), None),
            ApiError::InvalidContract { pointer, message } => {
                ("invalid_contract", message.clone(), Some(pointer.clone()))
            }
            ApiError::InvalidSpec { pointer, message } => {
                ("invalid_spec", message.clone(), Some(pointer.clone()))
            }
            ApiError::InvalidWebhook { pointer, message } => {
                ("invalid_webhook", message.clone(), Some(pointer.clone()))
            }
            ApiError::ContractMismatch(m) => ("contract_mismatch", m.clone(), None),
            ApiError::Unauthorized { code, message }
            | ApiError::Forbidden { code, message }
            | ApiError::NotFound { code, message }
            | ApiError::Conflict { code, message } => (*code, message.clone(), None),
            ApiError::RequestTimeout { seconds } => (
                "request_timeout",
                format!("the request body did not arrive within {seconds} s"),
                None,
            ),
            ApiError::MethodNotAllowed => (
                "method_not_allowed",
                "this route does not accept that method".to_owned(),
                None,
            ),
            ApiError::Unavailable => (
                "database_unavailable",
                "the broker cannot reach its database; try again later".to_owned(),
                None,
            ),
            ApiError::Internal => (
                "internal",
                "the broker failed; the details are in its log".to_owned(),
                None,
            ),
        };
        ErrorBody {
            code: code.to_owned(),
            message,
            pointer,
        }
    }
}

/// The `Retry-After` of a 503, in seconds: long enough for a pool to reconnect or a lock to be
/// released, short enough that a client retrying does not wait long after the database is back.
pub const RETRY_AFTER_SECONDS: u32 = 2;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status_code(), Json(self.body())).into_response();
        match self {
            ApiError::Unauthorized { code, .. } => {
                // RFC 6750: a missing token gets the bare challenge, a bad one says so.
                let challenge = if code == "token_missing" {
                    r#"Bearer realm="vow""#
                } else {
                    r#"Bearer realm="vow", error="invalid_token""#
                };
                response
                    .headers_mut()
                    .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
            }
            ApiError::Unavailable => {
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
            }
            _ => {}
        }
        response
    }
}

impl From<InvalidName> for ApiError {
    fn from(e: InvalidName) -> Self {
        ApiError::InvalidName(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match &e {
            StoreError::ServiceNotFound { .. } => ApiError::NotFound {
                code: "service_not_found",
                message,
            },
            StoreError::VersionNotFound { .. } => ApiError::NotFound {
                code: "version_not_found",
                message,
            },
            StoreError::EnvironmentNotFound { .. } => ApiError::NotFound {
                code: "environment_not_found",
                message,
            },
            StoreError::ContractNotFound { .. } => ApiError::NotFound {
                code: "contract_not_found",
                message,
            },
            StoreError::VersionConflict { .. } => ApiError::Conflict {
                code: "version_conflict",
                message,
            },
            StoreError::ContractConflict { .. } => ApiError::Conflict {
                code: "contract_conflict",
                message,
            },
            StoreError::SpecConflict { .. } => ApiError::Conflict {
                code: "spec_conflict",
                message,
            },
            StoreError::SpecNotFound { .. } => ApiError::NotFound {
                code: "spec_not_found",
                message,
            },
            StoreError::ContractHashNotFound { .. } => ApiError::NotFound {
                code: "contract_not_found",
                message,
            },
            StoreError::ReleaseNotFound { .. } => ApiError::NotFound {
                code: "release_not_found",
                message,
            },
            StoreError::DeploymentNotFound { .. } => ApiError::NotFound {
                code: "deployment_not_found",
                message,
            },
            StoreError::TokenConflict { .. } => ApiError::Conflict {
                code: "token_conflict",
                message,
            },
            StoreError::TokenNotFound { .. } => ApiError::NotFound {
                code: "token_not_found",
                message,
            },
            StoreError::WebhookNotFound { .. } => ApiError::NotFound {
                code: "webhook_not_found",
                message,
            },
            // Logged here, inside the request's span, so the cause carries the request id that the
            // client sees in `x-request-id`.
            StoreError::Unavailable(_) => {
                tracing::warn!(error = %causes(&e), "database unavailable");
                ApiError::Unavailable
            }
            _ => {
                tracing::error!(error = %causes(&e), "store failed");
                ApiError::Internal
            }
        }
    }
}

/// An error and its sources, `outer: inner: …`, for the log.
pub(crate) fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
