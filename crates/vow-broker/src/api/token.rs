//! Token management for admins: issue a token (shown in this answer and never again), list
//! tokens, revoke one. `vow broker token` does the same on the database directly, which is how the
//! first admin token is made.

use axum::Json;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::ApiError;
use super::extract::{JsonBody, PathParams};
use crate::name::TokenName;
use crate::store::{Store, Token};
use crate::token::{self, IssueError, Role, TokenSpec, TokenSpecError};

/// The body of `POST /api/v1/tokens`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    name: String,
    role: Role,
    #[serde(default)]
    services: Vec<String>,
    expires_in_days: Option<u32>,
}

/// Issues a token: 201 with the token itself in `token`, the only time it is shown; 409
/// `token_conflict` when the name is taken.
pub async fn create(
    State(store): State<Store>,
    JsonBody(body): JsonBody<TokenBody>,
) -> Result<Response, ApiError> {
    let now = Utc::now();
    let spec = TokenSpec::new(
        &body.name,
        body.role,
        &body.services,
        body.expires_in_days,
        now,
    )
    .map_err(|e| match e {
        TokenSpecError::Name(e) => ApiError::InvalidName(e),
        TokenSpecError::LimitedRole { .. } => ApiError::InvalidBody {
            pointer: "/services".to_owned(),
            message: format!("/services: {e}"),
        },
        TokenSpecError::ExpiresIn { .. } => ApiError::InvalidBody {
            pointer: "/expires_in_days".to_owned(),
            message: format!("/expires_in_days: {e}"),
        },
    })?;
    let issued = token::issue(&store, &spec, now)
        .await
        .map_err(|e| match e {
            IssueError::Store(e) => ApiError::from(e),
            IssueError::Random(e) => {
                tracing::error!(error = %e, "no random bytes for a token");
                ApiError::Internal
            }
        })?;
    let mut body = json!(issued.token);
    body["token"] = Value::from(issued.secret.expose());
    Ok((
        StatusCode::CREATED,
        // The one answer that carries a token must not be kept by any cache on the way.
        [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(body),
    )
        .into_response())
}

/// Every token, revoked and expired ones included; never the tokens themselves.
pub async fn list(State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    let tokens = store.tokens().await?;
    Ok(Json(json!({ "tokens": tokens })))
}

/// Revokes a token: it fails from the next request on, on every broker sharing the database.
/// 200 whether this call revoked it or it was revoked before (its first `revoked_at` stays).
pub async fn revoke(
    State(store): State<Store>,
    PathParams(name): PathParams<String>,
) -> Result<Json<Token>, ApiError> {
    let name = TokenName::parse(&name)?;
    let put = store.revoke_token(name.as_str(), Utc::now()).await?;
    Ok(Json(put.value))
}
