//! Rendering: the templates (compiled in, HTML auto-escaped), what every page shows around its
//! content, and the error page every failure becomes.

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;

use super::session::Viewer;
use crate::api::ApiError;
use crate::store::StoreError;

/// The templates by name; `.html` names are auto-escaped, so text from the database (names,
/// contract content, reasons) can never become markup.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("pager.html", include_str!("templates/pager.html")),
    ("verdict.html", include_str!("templates/verdict.html")),
    ("overview.html", include_str!("templates/overview.html")),
    ("service.html", include_str!("templates/service.html")),
    (
        "deprecations.html",
        include_str!("templates/deprecations.html"),
    ),
    ("matrix.html", include_str!("templates/matrix.html")),
    (
        "integration.html",
        include_str!("templates/integration.html"),
    ),
    (
        "can_i_deploy.html",
        include_str!("templates/can_i_deploy.html"),
    ),
    ("webhooks.html", include_str!("templates/webhooks.html")),
    ("webhook.html", include_str!("templates/webhook.html")),
    ("sign_in.html", include_str!("templates/sign_in.html")),
    ("error.html", include_str!("templates/error.html")),
];

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            // A template that does not parse fails every page test, so this never runs in a
            // released broker.
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name} does not parse: {e}"));
        }
        env
    })
}

/// What every page shows around its content: who is looking, and the form token.
#[derive(Debug, Clone, Serialize)]
pub struct Chrome {
    /// The signed-in token's name, if any.
    pub signed_in_as: Option<String>,
    /// Whether a sign-in link makes sense (tokens exist and nobody is signed in).
    pub may_sign_in: bool,
    /// Whether the admin pages (webhooks) are linked from the navigation.
    pub is_admin: bool,
    pub csrf: String,
}

impl Chrome {
    /// The chrome of a page no route takes: nobody is looked up for it, so it names nobody and
    /// links no admin page.
    pub fn unknown_viewer() -> Chrome {
        Chrome {
            signed_in_as: None,
            may_sign_in: false,
            is_admin: false,
            csrf: String::new(),
        }
    }

    pub fn of(viewer: &Viewer) -> Chrome {
        Chrome {
            signed_in_as: viewer.signed_in_as().map(str::to_owned),
            may_sign_in: viewer.may_sign_in(),
            is_admin: viewer.is_admin(),
            csrf: viewer.csrf().to_owned(),
        }
    }
}

/// Renders `template` with `page` (its own data) and `chrome`, as an HTML answer.
pub fn html(status: StatusCode, template: &str, chrome: &Chrome, page: impl Serialize) -> Response {
    let rendered = environment().get_template(template).and_then(|t| {
        t.render(
            context! { chrome => Value::from(Serde(chrome)), page => Value::from(Serde(&page)) },
        )
    });
    match rendered {
        Ok(body) => (
            status,
            [
                (CONTENT_TYPE, "text/html; charset=utf-8"),
                // Pages show who depends on what right now; a shared cache must not keep them.
                (CACHE_CONTROL, "private, no-cache"),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, template, "a page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(CONTENT_TYPE, "text/plain; charset=utf-8")],
                "the page failed to render; the broker's log says why",
            )
                .into_response()
        }
    }
}

/// A page that could not be shown: its status and a sentence for people.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
}

impl PageError {
    pub fn not_found(message: String) -> PageError {
        PageError {
            status: StatusCode::NOT_FOUND,
            title: "Not found",
            message,
        }
    }

    pub fn forbidden(message: String) -> PageError {
        PageError {
            status: StatusCode::FORBIDDEN,
            title: "Not allowed",
            message,
        }
    }

    pub fn bad_request(message: String) -> PageError {
        PageError {
            status: StatusCode::BAD_REQUEST,
            title: "Bad request",
            message,
        }
    }

    /// The page for this error, inside the usual chrome.
    pub fn render(&self, chrome: &Chrome) -> Response {
        html(
            self.status,
            "error.html",
            chrome,
            context! { title => self.title, message => &self.message, status => self.status.as_u16() },
        )
    }
}

/// The API's words for the same failure: the same status and message (internals stay in the
/// log, as the API keeps them).
impl From<ApiError> for PageError {
    fn from(error: ApiError) -> PageError {
        let status = error.status_code();
        let title = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "Bad request",
            StatusCode::SERVICE_UNAVAILABLE => "Unavailable",
            _ => "Something went wrong",
        };
        PageError {
            status,
            title,
            message: error.body().message,
        }
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> PageError {
        ApiError::from(error).into()
    }
}

impl From<crate::name::InvalidName> for PageError {
    fn from(error: crate::name::InvalidName) -> PageError {
        ApiError::from(error).into()
    }
}

/// The HTML 404 for a path outside the API that no page takes. No session is looked up: an
/// unknown path costs no database query, whoever probes for it.
pub(crate) fn not_found(path: &str) -> Response {
    PageError::not_found(format!("this broker has no page at {path:?}"))
        .render(&Chrome::unknown_viewer())
}

/// The HTML 405 for a page path asked with a method it does not take.
pub(crate) fn method_not_allowed() -> Response {
    PageError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        title: "Method not allowed",
        message: "this page does not accept that method".to_owned(),
    }
    .render(&Chrome::unknown_viewer())
}
