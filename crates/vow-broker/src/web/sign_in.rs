//! Signing in with a token and out again (see `session` for what a session is).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

use super::render::{PageError, html};
use super::session::{
    SESSION_COOKIE, SESSION_HOURS, Viewer, cookie_value, new_session_id, safe_next, session_hash,
};
use crate::store::Store;
use crate::token;

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Serialize)]
struct SignInPage {
    next: String,
    message: Option<&'static str>,
}

fn page(
    viewer: &Viewer,
    status: StatusCode,
    next: String,
    message: Option<&'static str>,
) -> Response {
    html(
        status,
        "sign_in.html",
        &viewer.chrome(),
        SignInPage { next, message },
    )
}

/// The sign-in form.
pub async fn form(
    viewer: Viewer,
    query: Result<Query<NextQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let next = query.ok().and_then(|Query(q)| q.next);
    let message = viewer
        .stale_session
        .then_some("Your session ended. Sign in again to continue.");
    page(&viewer, StatusCode::OK, safe_next(next.as_deref()), message)
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

/// The answer to a form whose CSRF field does not match the browser's cookie.
pub(super) fn forbidden_form(viewer: &Viewer) -> Response {
    PageError {
        status: StatusCode::FORBIDDEN,
        title: "Form expired",
        message: "this form's security token does not match this browser's; reload the page \
                  and send the form again"
            .to_owned(),
    }
    .render(&viewer.chrome())
}

/// Checks the token and starts a session for it.
pub async fn sign_in(
    viewer: Viewer,
    State(store): State<Store>,
    form: Result<Form<SignInForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return PageError::bad_request("send the sign-in form as a form".to_owned())
            .render(&viewer.chrome());
    };
    if !viewer.csrf_matches(&form.csrf) {
        return forbidden_form(&viewer);
    }
    let next = safe_next(form.next.as_deref());
    let refused = |message| {
        page(
            &viewer,
            StatusCode::UNAUTHORIZED,
            next.clone(),
            Some(message),
        )
    };
    let Some(hash) = token::hash_presented(form.token.trim()) else {
        return refused(
            "That is not a vow token: they start with vow_ and have 43 more characters.",
        );
    };
    let found = match store.token_by_hash(&hash).await {
        Ok(found) => found,
        Err(e) => return PageError::from(e).render(&viewer.chrome()),
    };
    let now = Utc::now();
    let Some(found) = found else {
        return refused("This broker has no such token.");
    };
    if found.revoked_at.is_some() {
        return refused("This token was revoked; ask an admin for a new one.");
    }
    if found.expires_at.is_some_and(|at| at <= now) {
        return refused("This token has expired; ask an admin for a new one.");
    }
    let session = match new_session_id() {
        Ok(session) => session,
        Err(e) => return e.render(&viewer.chrome()),
    };
    let mut expires_at = now + Duration::hours(SESSION_HOURS);
    if let Some(at) = found.expires_at {
        expires_at = expires_at.min(at);
    }
    if let Err(e) = store
        .create_session(&session_hash(&session), &hash, now, expires_at)
        .await
    {
        return PageError::from(e).render(&viewer.chrome());
    }
    let max_age = (expires_at - now).num_seconds().max(1);
    let cookie = viewer.cookie(SESSION_COOKIE, &session, max_age, "Lax");
    redirect(&next, Some(cookie))
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session and clears the cookie.
pub async fn sign_out(
    viewer: Viewer,
    State(store): State<Store>,
    headers: axum::http::HeaderMap,
    form: Result<Form<SignOutForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let csrf = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if !viewer.csrf_matches(&csrf) {
        return forbidden_form(&viewer);
    }
    if let Some(session) = cookie_value(&headers, SESSION_COOKIE)
        && let Err(e) = store.end_session(&session_hash(session)).await
    {
        return PageError::from(e).render(&viewer.chrome());
    }
    redirect("/", Some(viewer.cookie(SESSION_COOKIE, "", 0, "Lax")))
}

fn redirect(to: &str, cookie: Option<String>) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response();
    if let Some(value) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}
