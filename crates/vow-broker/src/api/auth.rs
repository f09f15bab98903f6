//! Who may call which route: bearer tokens, the [`Access`] level each route has in the route table
//! (`router.rs`), and the [`Principal`] a handler sees.
//!
//! # The decision
//!
//! [`authenticate`] runs before every routed handler. It finds the route's access level from
//! axum's `MatchedPath` and the method (`HEAD` counts as `GET`), then:
//!
//! - `Public` routes (`/healthz`, `/readyz`, the OpenAPI document) are answered without looking at
//!   any header: load balancers and API tools call them without credentials.
//! - A request that presents `Authorization: Bearer …` has its token checked, always, even where
//!   no token would be needed: text not shaped like a vow token is `token_invalid` without a
//!   query; otherwise its SHA-256 is looked up (one query on a unique index), and an unknown,
//!   revoked or expired token is a 401 (`token_invalid`, `token_revoked`, `token_expired`). A known
//!   token whose role is below the route's is 403 `role_forbidden`.
//! - A request without a token may read when the broker runs with `--public-read`; otherwise it
//!   costs one cheap query, "is there any token at all?". While there is none the broker is open
//!   (it says so when it starts) and the request goes through as [`Principal::Open`]; once the
//!   first token is created, it is 401 `token_missing`.
//!
//! Tokens are never deleted, only revoked, so revoking or outliving every token does not reopen a
//! broker: it stays locked until an operator creates a token with `vow broker token create`,
//! which works on the database directly. Nothing is cached in memory, so a revocation holds on
//! the next request, on every replica.
//!
//! # Writing for a service: the pattern for write handlers
//!
//! A publish token can be limited to services. The route table cannot enforce that alone, because
//! the service a write is for is in the path for some routes (`/services/{service}/…`) and in
//! the body for others (a deployment names its service in the body). So every write handler takes
//! the [`Principal`] and, once it has parsed the service its write is for and before it touches
//! the store, says:
//!
//! ```text
//! pub async fn put_version(
//!     principal: Principal,
//!     State(store): State<Store>,
//!     PathParams((service, version)): PathParams<(String, String)>,
//!     JsonBody(body): JsonBody<VersionBody>,
//! ) -> Result<…, ApiError> {
//!     let service = ServiceName::parse(&service)?;
//!     principal.may_write(&service)?; // 403 service_forbidden for a token limited elsewhere
//!     …
//! }
//! ```
//!
//! "The service a write is for" is the one whose record it adds to: a version's service, a
//! contract's consumer, a deployment's service; a verification result is the provider's. A write
//! that belongs to no service (creating an environment, which every deployment pipeline needs)
//! does not call it, and its doc comment says why. The table-driven test
//! `crates/vow-broker/tests/it/auth.rs` sends every route a token limited to another service and
//! fails for a write route that it does not classify, so a new handler cannot forget this.
//!
//! # Reads are not limited by service
//!
//! A limit keeps a CI job from publishing or deploying for a service it does not build. Reading
//! is another matter: can-i-deploy must read the counterparts of the service it asks about (the
//! providers it calls, the consumers that call it, what runs where), and contracts exist to be
//! read by the other side. So only publish tokens can be limited, and the limit applies to
//! writes alone.

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};

use super::error::ApiError;
use super::router::{AppState, access_of};
use crate::name::ServiceName;
use crate::token::{self, Role};

/// Who may call a route: the third column of the route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone, with or without a token (health, readiness, the OpenAPI document).
    Public,
    /// Tokens with the read role or higher; anyone under `--public-read`.
    Read,
    /// Tokens with the publish role or higher: every write that records something.
    Publish,
    /// Admin tokens: token management.
    Admin,
}

impl Access {
    /// The least role a token needs; `None` for public routes.
    pub fn role(self) -> Option<Role> {
        match self {
            Access::Public => None,
            Access::Read => Some(Role::Read),
            Access::Publish => Some(Role::Publish),
            Access::Admin => Some(Role::Admin),
        }
    }
}

/// Who is calling, as far as the route's handler is concerned. Extract it in a handler's
/// arguments (before the body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No token has ever been created: the broker is open and anyone may do anything.
    Open,
    /// No token, on a public route or, with `--public-read`, a read route.
    Anonymous,
    /// A valid token.
    Token {
        name: String,
        role: Role,
        /// The services it may write for; empty for all.
        services: Vec<String>,
    },
}

impl Principal {
    /// May this caller write for `service`? 403 `service_forbidden` for a token limited to other
    /// services. Call it in every write handler; see the module doc.
    pub fn may_write(&self, service: &ServiceName) -> Result<(), ApiError> {
        match self {
            Principal::Open => Ok(()),
            Principal::Anonymous => Err(ApiError::Unauthorized {
                code: "token_missing",
                message: "writing needs a token with the publish role: send it as \
                          `Authorization: Bearer <token>`"
                    .to_owned(),
            }),
            Principal::Token { name, role, .. } if *role < Role::Publish => {
                Err(ApiError::Forbidden {
                    code: "role_forbidden",
                    message: format!(
                        "writing needs a token with the publish role; token {name:?} has the \
                         {role} role"
                    ),
                })
            }
            Principal::Token { services, .. }
                if services.is_empty() || services.iter().any(|s| s == service.as_str()) =>
            {
                Ok(())
            }
            Principal::Token { name, services, .. } => Err(ApiError::Forbidden {
                code: "service_forbidden",
                message: format!(
                    "token {name:?} may write only for {}, not for {service}",
                    services.join(", ")
                ),
            }),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Principal>().cloned().ok_or_else(|| {
            tracing::error!(
                path = parts.uri.path(),
                "a handler asked for the principal of a request the auth layer did not see"
            );
            ApiError::Internal
        })
    }
}

/// The middleware: decides whether the request may reach its route, and hands the handler the
/// [`Principal`]. See the module doc.
pub(crate) async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let access = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|matched| access_of(request.method(), matched.as_str()));
    // Every handler is mounted from the route table, so a matched path without an entry for
    // this method can only reach the router's 405 answer.
    let Some(access) = access else {
        return next.run(request).await;
    };
    // Messages name the request as sent, which is what its sender recognises.
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    match decide(&state, &method, &path, access, request.headers()).await {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

async fn decide(
    state: &AppState,
    method: &Method,
    path: &str,
    access: Access,
    headers: &HeaderMap,
) -> Result<Principal, ApiError> {
    let Some(needed) = access.role() else {
        return Ok(Principal::Anonymous);
    };
    let Some(presented) = bearer(headers)? else {
        if access == Access::Read && state.settings.public_read {
            return Ok(Principal::Anonymous);
        }
        if !state.store.tokens_exist().await? {
            return Ok(Principal::Open);
        }
        let reads = if state.settings.public_read {
            " (on this broker only reads are public)"
        } else {
            ""
        };
        return Err(ApiError::Unauthorized {
            code: "token_missing",
            message: format!(
                "{method} {path} needs a token with the {needed} role{reads}: send it as \
                 `Authorization: Bearer <token>`"
            ),
        });
    };
    let hash = token::hash_presented(presented).ok_or_else(|| {
        invalid("the bearer token is not a vow token (`vow_` and 43 base64url characters)")
    })?;
    let found = state
        .store
        .token_by_hash(&hash)
        .await?
        .ok_or_else(|| invalid("this broker has no such token"))?;
    let now = Utc::now();
    if let Some(at) = found.revoked_at {
        return Err(ApiError::Unauthorized {
            code: "token_revoked",
            message: format!(
                "token {:?} was revoked at {}; ask an admin for a new one",
                found.name,
                timestamp(at)
            ),
        });
    }
    if let Some(at) = found.expires_at.filter(|at| *at <= now) {
        return Err(ApiError::Unauthorized {
            code: "token_expired",
            message: format!(
                "token {:?} expired at {}; ask an admin for a new one",
                found.name,
                timestamp(at)
            ),
        });
    }
    if found.last_use_is_stale(now) {
        // After the answer, not before it: `last_used_at` is for people, and a failed update
        // must not fail the request.
        let (store, name) = (state.store.clone(), found.name.clone());
        tokio::spawn(async move {
            if let Err(error) = store.touch_token(&name, now).await {
                tracing::debug!(%error, token = name, "failed to record when a token was used");
            }
        });
    }
    if found.role < needed {
        return Err(ApiError::Forbidden {
            code: "role_forbidden",
            message: format!(
                "{method} {path} needs a token with the {needed} role; token {:?} has the {} \
                 role",
                found.name, found.role
            ),
        });
    }
    Ok(Principal::Token {
        name: found.name,
        role: found.role,
        services: found.services,
    })
}

/// The credentials of `Authorization: Bearer <token>`, if the header is there. Never echoes
/// what it refuses.
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(invalid("send one Authorization header, not several"));
    }
    let text = value
        .to_str()
        .map_err(|_| invalid("the Authorization header is not ASCII text"))?
        .trim();
    let (scheme, credentials) = text.split_once(' ').unwrap_or((text, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(invalid(
            "the Authorization header must use the Bearer scheme: `Authorization: Bearer <token>`",
        ));
    }
    match credentials.trim() {
        "" => Err(invalid(
            "the Authorization header has no token after `Bearer`",
        )),
        token => Ok(Some(token)),
    }
}

fn invalid(message: &str) -> ApiError {
    ApiError::Unauthorized {
        code: "token_invalid",
        message: message.to_owned(),
    }
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn code(result: Result<Option<&str>, ApiError>) -> String {
        result.unwrap_err().body().code
    }

    #[test]
    fn the_bearer_scheme_is_read_case_insensitively() {
        assert_eq!(bearer(&headers(&[])).unwrap(), None);
        assert_eq!(bearer(&headers(&["Bearer vow_x"])).unwrap(), Some("vow_x"));
        assert_eq!(
            bearer(&headers(&["bearer  vow_x "])).unwrap(),
            Some("vow_x")
        );
    }

    #[test]
    fn other_schemes_and_empty_or_repeated_headers_are_invalid() {
        for value in [
            &["Basic dXNlcjpwdw=="][..],
            &["Bearer"],
            &["vow_x"],
            &["Bearer a", "Bearer b"],
        ] {
            assert_eq!(code(bearer(&headers(value))), "token_invalid", "{value:?}");
        }
    }

    #[test]
    fn a_limited_token_writes_only_for_its_services() {
        let web = ServiceName::parse("checkout-web").unwrap();
        let api = ServiceName::parse("shop-api").unwrap();
        let limited = Principal::Token {
            name: "ci".to_owned(),
            role: Role::Publish,
            services: vec!["checkout-web".to_owned(), "mobile-app".to_owned()],
        };
        assert!(limited.may_write(&web).is_ok());
        let refused = limited.may_write(&api).unwrap_err().body();
        assert_eq!(refused.code, "service_forbidden");
        assert_eq!(
            refused.message,
            "token \"ci\" may write only for checkout-web, mobile-app, not for shop-api"
        );
        let unlimited = Principal::Token {
            name: "ci".to_owned(),
            role: Role::Publish,
            services: Vec::new(),
        };
        assert!(unlimited.may_write(&api).is_ok());
        assert!(Principal::Open.may_write(&api).is_ok());
        assert_eq!(
            Principal::Anonymous
                .may_write(&api)
                .unwrap_err()
                .body()
                .code,
            "token_missing"
        );
    }
}
