//! The page route table: (method, path, who may see it). Like the API's table it is the only
//! source of the page router, and tests/it/pages.rs sends every entry every kind of caller.

use axum::Router;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get, post};

use super::{
    asset, deploy, deprecation, integration, matrix, overview, service, session, sign_in, webhook,
};
use crate::api::Access;
use crate::api::router::AppState;

/// Every page route. `Public` pages (signing in and out, the style sheet) are answered to anyone;
/// `Read` pages to anyone who may read the API: a signed-in session, anyone under
/// `--public-read`, anyone while the broker is open; `Admin` pages to a session of an admin token,
/// or anyone while the broker is open. Others are sent to the sign-in page, or shown a 403 page
/// when signed in with a lesser token.
pub fn pages() -> &'static [(Method, &'static str, Access)] {
    PAGES
}

static PAGES: &[(Method, &str, Access)] = &[
    (Method::GET, "/", Access::Read),
    (Method::GET, "/services/{service}", Access::Read),
    (
        Method::GET,
        "/services/{service}/deprecations",
        Access::Read,
    ),
    (
        Method::GET,
        "/integrations/{consumer}/{provider}",
        Access::Read,
    ),
    (Method::GET, "/matrix", Access::Read),
    (Method::GET, "/can-i-deploy", Access::Read),
    (Method::GET, "/webhooks", Access::Admin),
    (Method::GET, "/webhooks/{id}", Access::Admin),
    (Method::POST, "/webhooks/{id}/test", Access::Admin),
    (Method::GET, "/sign-in", Access::Public),
    (Method::POST, "/sign-in", Access::Public),
    (Method::POST, "/sign-out", Access::Public),
    (Method::GET, "/assets/vow.css", Access::Public),
];

/// Who may see the page a request matched, if the table has it (`HEAD` as `GET`).
pub(crate) fn access_of(method: &Method, path: &str) -> Option<Access> {
    let method = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    PAGES
        .iter()
        .find(|(m, p, _)| m == method && *p == path)
        .map(|(_, _, access)| *access)
}

fn handler(method: &Method, path: &str) -> MethodRouter<AppState> {
    match (method.as_str(), path) {
        ("GET", "/") => get(overview::page),
        ("GET", "/services/{service}") => get(service::page),
        ("GET", "/services/{service}/deprecations") => get(deprecation::page),
        ("GET", "/integrations/{consumer}/{provider}") => get(integration::page),
        ("GET", "/matrix") => get(matrix::page),
        ("GET", "/can-i-deploy") => get(deploy::page),
        ("GET", "/webhooks") => get(webhook::list),
        ("GET", "/webhooks/{id}") => get(webhook::show),
        ("POST", "/webhooks/{id}/test") => post(webhook::test),
        ("GET", "/sign-in") => get(sign_in::form),
        ("POST", "/sign-in") => post(sign_in::sign_in),
        ("POST", "/sign-out") => post(sign_in::sign_out),
        ("GET", "/assets/vow.css") => get(asset::style),
        _ => panic!("the page table lists {method} {path}, which has no handler"),
    }
}

/// The pages, each behind the session check of its table entry.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    PAGES
        .iter()
        .fold(Router::<AppState>::new(), |router, (method, path, _)| {
            router.route(path, handler(method, path))
        })
        .route_layer(from_fn_with_state(state, session::authenticate))
}
