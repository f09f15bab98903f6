//! Starting the broker for a test on a fresh database of either backend, and talking to it.

use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::Value;
use sqlx::Connection;
use tempfile::TempDir;
use tower::ServiceExt;
use vow_broker::{Database, Settings, Store, StoreSettings, router};

/// Instantiates each named `async fn(TestApp)` as one test per backend: `sqlite::NAME` always,
/// `postgres::NAME` against `VOW_TEST_DATABASE_URL`.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test($crate::support::TestApp::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    if let Some(app) = $crate::support::TestApp::postgres().await {
                        super::$test(app).await;
                    }
                }
            )*
        }
    };
}
pub(crate) use on_both_backends;

/// A migrated broker on its own database.
pub struct TestApp {
    pub store: Store,
    pub database: Database,
    _dir: Option<TempDir>,
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = Database::Sqlite {
            data_dir: dir.path().join("data"),
        };
        TestApp::open(database, Some(dir)).await
    }

    /// A fresh PostgreSQL database on the server `VOW_TEST_DATABASE_URL` names. Without the
    /// variable: `None` on a developer machine, a failure in CI.
    pub async fn postgres() -> Option<TestApp> {
        let Ok(url) = std::env::var("VOW_TEST_DATABASE_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but VOW_TEST_DATABASE_URL is not: the PostgreSQL suite must run in CI \
                 (scripts/with-postgres starts a throwaway server and sets it)"
            );
            #[allow(clippy::print_stderr)] // a test telling the developer what it did not run
            {
                eprintln!("VOW_TEST_DATABASE_URL is not set: PostgreSQL test not run");
            }
            return None;
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "vow_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = sqlx::PgConnection::connect(&url)
            .await
            .expect("connect to VOW_TEST_DATABASE_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        admin.close().await.ok();
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base, format!("?{query}")),
            None => (url.as_str(), String::new()),
        };
        let server = match base.rfind('/') {
            Some(slash) if slash > "postgres://".len() => &base[..slash],
            _ => base,
        };
        let database = Database::Postgres {
            url: format!("{server}/{name}{query}"),
        };
        Some(TestApp::open(database, None).await)
    }

    async fn open(database: Database, dir: Option<TempDir>) -> TestApp {
        let store = Store::open(&database).await.expect("open the store");
        store.migrate().await.expect("migrate");
        TestApp {
            store,
            database,
            _dir: dir,
        }
    }

    /// The same database opened again, as a restarted broker opens it.
    pub async fn reopen(self) -> TestApp {
        self.store.close().await;
        let store = Store::open(&self.database).await.expect("reopen the store");
        store.migrate().await.expect("migrate");
        TestApp { store, ..self }
    }

    pub fn router(&self) -> Router {
        router(self.store.clone(), Settings::default())
    }

    /// The router on a second store over the same database, opened with `settings`.
    pub async fn router_with_store_settings(&self, settings: &StoreSettings) -> Router {
        let store = Store::open_with(&self.database, settings)
            .await
            .expect("open a second store");
        router(store, Settings::default())
    }

    /// The router with `--public-read` on or off.
    pub fn router_with_public_read(&self, public_read: bool) -> Router {
        let settings = Settings {
            public_read,
            ..Settings::default()
        };
        router(self.store.clone(), settings)
    }

    /// Sends a request as the holder of `token` (none: no `Authorization` header).
    pub async fn call_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> JsonAnswer {
        send_as(self.router(), token, method, path, body).await
    }

    /// Sends a request with an optional JSON body; answers the status and the JSON body (`Null`
    /// when the body is empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let body = body.map(|b| b.to_string());
        send(
            self.router(),
            method,
            path,
            body.as_deref(),
            "application/json",
        )
        .await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }
}

/// An answer with its headers and its body read as JSON.
#[derive(Debug)]
pub struct JsonAnswer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

/// Sends a request with an optional bearer token and JSON body.
pub async fn send_as(
    router: Router,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> JsonAnswer {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let request = request
        .body(Body::from(body.map(Value::to_string).unwrap_or_default()))
        .expect("request");
    let answer = exchange(router, request).await;
    // JSON as JSON; other bodies (the metrics text) as a string.
    let body = serde_json::from_slice(&answer.body).unwrap_or_else(|_| {
        if answer.body.is_empty() {
            Value::Null
        } else {
            Value::String(answer.text())
        }
    });
    JsonAnswer {
        status: answer.status,
        body,
        headers: answer.headers,
    }
}

/// Sends a raw request to a router.
pub async fn send(
    router: Router,
    method: Method,
    path: &str,
    body: Option<&str>,
    content_type: &str,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(path);
    if body.is_some() {
        request = request.header("content-type", content_type);
    }
    let request = request
        .body(Body::from(body.unwrap_or_default().to_owned()))
        .expect("request");
    let answer = exchange(router, request).await;
    (answer.status, answer.json())
}

/// A whole answer: status, headers and body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON (`Null` when it is empty).
    pub fn json(&self) -> Value {
        if self.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&self.body)
                .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
        }
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).expect("UTF-8 body")
    }

    /// A header as text, if the answer has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header"))
    }
}

/// Sends a request to a router and reads the whole answer.
pub async fn exchange(router: Router, request: Request<Body>) -> Answer {
    let response = router.oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    Answer {
        status,
        headers,
        body,
    }
}

/// The example contract checkout-web → payments-gateway, as JSON.
pub fn contract() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/contracts/valid/checkout-web-payments.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON")
}

/// The same contract with one interaction's description changed: other content.
pub fn changed_contract() -> Value {
    let mut contract = contract();
    contract["interactions"][0]["description"] = Value::from("Authorize, but differently");
    contract
}

pub const CONTRACT_PATH: &str =
    "/api/v1/services/checkout-web/versions/1.0.0/contracts/payments-gateway";

/// Asserts an error answer: its status and its stable code, with a message.
#[track_caller]
pub fn assert_error(answer: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1["code"], code, "{}", answer.1);
    assert!(
        answer.1["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        answer.1
    );
}
