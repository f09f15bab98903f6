//! Who is looking at a page, and the cookies that say so.
//!
//! A person signs in by pasting a token (any role: every role may read). The broker then keeps a
//! session row that points at that token and hands the browser a random session id in the
//! `vow_session` cookie (`HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` when the page is served
//! over HTTPS). The database holds only the id's SHA-256. Every page request looks the session up
//! and checks its token again, so a session ends when it is signed out, when it expires (after
//! [`SESSION_HOURS`]), and on the next request after its token is revoked or expires.
//!
//! Forms that change state (signing in and out, a webhook's test event) carry a CSRF token: a
//! random value the broker sets in the `vow_csrf` cookie (`SameSite=Strict`) and repeats in a
//! hidden field; a POST whose field and cookie differ is refused. Another site can make a browser
//! send the cookie, but it cannot read it to fill in the field.
//!
//! Without a session, pages follow the API's rules: `Read` pages are shown under `--public-read`,
//! and every page while no token exists (the broker is open); otherwise the browser is sent to the
//! sign-in page. `Admin` pages (webhooks) need a session of an admin token once a token exists; a
//! session of a lesser token gets a 403 page.

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use sha2::{Digest, Sha256};

use super::render::{Chrome, PageError};
use super::route::access_of;
use crate::api::Access;
use crate::api::router::{AppState, Settings};
use crate::store::Token;
use crate::token::Role;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "vow_session";
/// The CSRF cookie's name.
pub const CSRF_COOKIE: &str = "vow_csrf";
/// How long a session lasts at most.
pub const SESSION_HOURS: i64 = 12;

/// Who is looking at a page.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub who: Who,
    csrf: String,
    /// Whether cookies this answer sets get `Secure`.
    pub secure: bool,
    /// Whether the request carried a session cookie that no longer holds.
    pub stale_session: bool,
}

/// The kinds of viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// No token exists yet: the broker is open, like the API.
    Open,
    /// Nobody signed in (public read, or a public page).
    Anonymous,
    /// Signed in with this token.
    SignedIn(Token),
}

impl Viewer {
    pub fn signed_in_as(&self) -> Option<&str> {
        match &self.who {
            Who::SignedIn(token) => Some(&token.name),
            _ => None,
        }
    }

    pub fn may_sign_in(&self) -> bool {
        self.who == Who::Anonymous
    }

    /// Whether this viewer may see admin pages: a session of an admin token, or anyone while the
    /// broker is open, as the API decides.
    pub fn is_admin(&self) -> bool {
        match &self.who {
            Who::Open => true,
            Who::Anonymous => false,
            Who::SignedIn(token) => token.role >= Role::Admin,
        }
    }

    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// True when the form field `given` is this browser's CSRF token.
    pub fn csrf_matches(&self, given: &str) -> bool {
        // Compares every byte, so the time taken says nothing about where they differ.
        given.len() == self.csrf.len()
            && given
                .bytes()
                .zip(self.csrf.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    pub fn chrome(&self) -> Chrome {
        Chrome::of(self)
    }

    /// A `Set-Cookie` value with the attributes every vow cookie has.
    pub fn cookie(&self, name: &str, value: &str, max_age_seconds: i64, same_site: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_seconds}{secure}"
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        parts.extensions.get::<Viewer>().cloned().ok_or_else(|| {
            tracing::error!(
                path = parts.uri.path(),
                "a page asked for the viewer of a request the session layer did not see"
            );
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        })
    }
}

/// A random value for a cookie: 32 bytes from the OS, base64url.
fn random_value() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The hash a session id is stored by.
pub fn session_hash(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new session id.
pub fn new_session_id() -> Result<String, PageError> {
    random_value().map_err(|e| {
        tracing::error!(error = %e, "the OS gave no random bytes for a session");
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            title: "Something went wrong",
            message: "the broker could not start a session; its log says why".to_owned(),
        }
    })
}

/// The value of cookie `name`, if the request has it (in any `Cookie` header).
pub fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Whether the request came over HTTPS, as far as the settings let the broker know.
fn served_securely(settings: &Settings, headers: &HeaderMap) -> bool {
    let public_https = settings
        .public_url
        .as_deref()
        .is_some_and(|url| url.starts_with("https://"));
    let forwarded_https = settings.trust_forwarded_proto
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    public_https || forwarded_https
}

/// The middleware: finds the viewer, sends those who may not see a `Read` page to sign in, and
/// sets the CSRF cookie for browsers that lack one.
pub(crate) async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let access = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|matched| access_of(request.method(), matched.as_str()));
    let Some(access) = access else {
        return next.run(request).await;
    };
    let headers = request.headers();
    let secure = served_securely(&state.settings, headers);
    let (csrf, new_csrf) = match cookie_value(headers, CSRF_COOKIE) {
        Some(value) => (value.to_owned(), false),
        None => match random_value() {
            Ok(value) => (value, true),
            Err(e) => {
                tracing::error!(error = %e, "the OS gave no random bytes for a CSRF token");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
    };
    let session = cookie_value(headers, SESSION_COOKIE).map(str::to_owned);
    let mut viewer = Viewer {
        who: Who::Anonymous,
        csrf,
        secure,
        stale_session: false,
    };
    match who(&state, session.as_deref()).await {
        Ok(Some(who)) => viewer.who = who,
        Ok(None) => {
            viewer.stale_session = session.is_some();
            // As the API decides: `--public-read` opens reads only; every other role needs a
            // token once one exists.
            let needs_token = match access {
                Access::Public => false,
                Access::Read => !state.settings.public_read,
                Access::Publish | Access::Admin => true,
            };
            if needs_token || !state.settings.public_read {
                match state.store.tokens_exist().await {
                    Ok(false) => viewer.who = Who::Open,
                    Ok(true) if needs_token => return to_sign_in(&viewer, &request),
                    Ok(true) => {}
                    Err(e) => return PageError::from(e).render(&viewer.chrome()),
                }
            }
        }
        Err(e) => return e.render(&viewer.chrome()),
    }
    if let (Some(needed), Who::SignedIn(token)) = (access.role(), &viewer.who)
        && token.role < needed
    {
        return PageError::forbidden(format!(
            "this page needs a token with the {needed} role; you signed in with {:?}, which has \
             the {} role",
            token.name, token.role
        ))
        .render(&viewer.chrome());
    }
    request.extensions_mut().insert(viewer.clone());
    let mut response = next.run(request).await;
    if new_csrf {
        let cookie = viewer.cookie(CSRF_COOKIE, viewer.csrf(), SESSION_HOURS * 3600, "Strict");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    if viewer.stale_session {
        let cookie = viewer.cookie(SESSION_COOKIE, "", 0, "Lax");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

/// The signed-in viewer of a session cookie, if the session and its token still hold. A session
/// that no longer holds is removed.
async fn who(state: &AppState, session: Option<&str>) -> Result<Option<Who>, PageError> {
    let Some(session) = session else {
        return Ok(None);
    };
    let hash = session_hash(session);
    let Some((token, expires_at)) = state.store.session(&hash).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let token_holds = token.revoked_at.is_none() && token.expires_at.is_none_or(|at| at > now);
    if token_holds && expires_at > now {
        return Ok(Some(Who::SignedIn(token)));
    }
    state.store.end_session(&hash).await?;
    Ok(None)
}

/// 303 to the sign-in page, which sends the browser back here after signing in.
fn to_sign_in(viewer: &Viewer, request: &Request) -> Response {
    let back = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let location = format!("/sign-in?next={}", percent_encode(back));
    let mut response = (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response();
    if viewer.stale_session {
        let cookie = viewer.cookie(SESSION_COOKIE, "", 0, "Lax");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

/// Percent-encodes everything but unreserved characters, for a query value.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where to go after signing in: a path on this broker, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next) if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') => {
            next.to_owned()
        }
        _ => "/".to_owned(),
    }
}
