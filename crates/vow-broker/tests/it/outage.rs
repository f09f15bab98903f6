//! When the database goes away or is busy, requests that need it get a prompt 503
//! `database_unavailable` with a `Retry-After` (never a 500, never a hang), `/healthz` still
//! answers, and when the database is back the same broker serves again without a restart.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use vow_broker::{Database, Settings, Store, StoreSettings};

use crate::cluster::Cluster;
use crate::support::{Answer, TestApp, exchange};

/// How long a query waits for the database here: short, so the outage is quick to observe.
const WAIT: Duration = Duration::from_secs(1);

/// Only a hung request reaches this.
const HANG: Duration = Duration::from_secs(30);

async fn call(router: &Router, method: Method, path: &str, body: Option<Value>) -> Answer {
    let mut request = Request::builder().method(method.clone()).uri(path);
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let request = request.body(body).expect("request");
    tokio::time::timeout(HANG, exchange(router.clone(), request))
        .await
        .unwrap_or_else(|_| panic!("{method} {path} hung while the database was away"))
}

#[track_caller]
fn assert_unavailable(answer: &Answer, what: &str) {
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{what}: {}",
        answer.text()
    );
    let body = answer.json();
    assert_eq!(body["code"], "database_unavailable", "{what}: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: {body}"
    );
    assert!(
        answer
            .header("retry-after")
            .is_some_and(|s| s.parse::<u32>().is_ok_and(|s| s > 0)),
        "{what}: {:?}",
        answer.headers
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_stopping_gives_503_and_restarting_it_recovers_without_restarting_the_broker() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let database = Database::Postgres { url: cluster.url() };
    let store = Store::open_with(
        &database,
        &StoreSettings {
            acquire_timeout: WAIT,
            ..StoreSettings::default()
        },
    )
    .await
    .expect("open the store");
    store.migrate().await.expect("migrate");
    let router = vow_broker::router(store, Settings::default());
    let version = "/api/v1/services/shop-api/versions/1.0.0";
    let answer = call(
        &router,
        Method::PUT,
        version,
        Some(json!({"branch": "main"})),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    assert_eq!(
        call(&router, Method::GET, "/readyz", None).await.status,
        StatusCode::OK
    );

    cluster.stop().await;

    // Twice round: the pool's idle connections are dead the first time, there are none the next.
    for round in 1..=2 {
        for (method, path, body) in [
            (Method::GET, "/api/v1/services", None),
            (Method::GET, version, None),
            (
                Method::PUT,
                "/api/v1/services/shop-api/versions/2.0.0",
                Some(json!({})),
            ),
            (Method::GET, "/readyz", None),
        ] {
            let what = format!("round {round}: {method} {path}");
            assert_unavailable(&call(&router, method, path, body).await, &what);
        }
        let health = call(&router, Method::GET, "/healthz", None).await;
        assert_eq!(health.status, StatusCode::OK, "the process still answers");
    }

    cluster.start_again().await;

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answer = call(&router, Method::GET, version, None).await;
        if answer.status == StatusCode::OK {
            assert_eq!(answer.json()["branch"], "main", "the data survived");
            break;
        }
        assert_unavailable(&answer, "while PostgreSQL comes back");
        assert!(
            Instant::now() < deadline,
            "the broker did not recover after PostgreSQL came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answer = call(
        &router,
        Method::PUT,
        "/api/v1/services/shop-api/versions/2.0.0",
        Some(json!({})),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    assert_eq!(
        call(&router, Method::GET, "/readyz", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_locked_sqlite_database_gives_503_with_a_retry_hint_not_500() {
    let app = TestApp::sqlite().await;
    let Database::Sqlite { data_dir } = &app.database else {
        unreachable!("an SQLite test app");
    };
    let store = Store::open_with(
        &app.database,
        &StoreSettings {
            acquire_timeout: WAIT,
            ..StoreSettings::default()
        },
    )
    .await
    .expect("open the store");
    let router = vow_broker::router(store, Settings::default());

    // Another process holds SQLite's write lock for longer than the broker waits.
    let mut other = sqlx::SqliteConnection::connect_with(
        &sqlx::sqlite::SqliteConnectOptions::new().filename(data_dir.join("vow.sqlite3")),
    )
    .await
    .expect("a second connection");
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .expect("take the write lock");

    let version = "/api/v1/services/shop-api/versions/1.0.0";
    let answer = call(&router, Method::PUT, version, Some(json!({}))).await;
    assert_unavailable(&answer, "a write while another process holds the lock");
    // Reads do not wait for the writer (write-ahead log).
    let answer = call(&router, Method::GET, "/api/v1/services", None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());

    sqlx::query("ROLLBACK")
        .execute(&mut other)
        .await
        .expect("release the lock");
    let answer = call(&router, Method::PUT, version, Some(json!({}))).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
}
